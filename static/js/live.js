// Live pages: follow the signal stream and, when signals change, read the page's live parts
// again (?fragment=<name>) and swap them in place. The reader keeps their filters, page and
// scroll; the indicator in the header says whether the page is live.
(function () {
  "use strict";
  var parts = document.querySelectorAll("[data-live]");
  var indicator = document.getElementById("live-indicator");
  if (!parts.length || !indicator || !window.EventSource) return;

  var pending = {}; // part name -> rowids that changed since its last refresh
  var timer = null;

  function show(state, words) {
    indicator.className = "live live-" + state;
    indicator.textContent = words;
    indicator.title = state === "on" ? "This page updates by itself." : "Trying to reconnect…";
  }

  function fragmentUrl(name) {
    var url = new URL(window.location.href);
    url.searchParams.set("fragment", name);
    return url.toString();
  }

  function refresh() {
    timer = null;
    var names = Object.keys(pending);
    var changed = pending;
    pending = {};
    names.forEach(function (name) {
      var part = document.querySelector('[data-live="' + name + '"]');
      if (!part) return;
      fetch(fragmentUrl(name), { credentials: "same-origin", headers: { "X-Live": "1" } })
        .then(function (answer) {
          if (!answer.ok) throw new Error(answer.status);
          return answer.text();
        })
        .then(function (html) {
          part.innerHTML = html;
          changed[name].forEach(function (rowid) {
            var row = part.querySelector('[data-rowid="' + rowid + '"]');
            if (row) row.classList.add("fresh");
          });
        })
        .catch(function () { show("off", "reconnecting"); });
    });
  }

  function changedSignal(rowid) {
    parts.forEach(function (part) {
      var only = part.getAttribute("data-live-rowid");
      if (only && only !== String(rowid)) return; // a signal's page follows that signal only
      var name = part.getAttribute("data-live");
      (pending[name] = pending[name] || []).push(rowid);
    });
    // Changes that come together are read together, at most a few times a second.
    if (!timer) timer = window.setTimeout(refresh, 150);
  }

  // The stream, made again after every failure: the browser's own retry stops for good on an
  // answer that is not a stream (a 503 when the worker holds its most streams, a 401), and a
  // page must never stay dark. Waits grow from 1 to 30 s, each a little shorter or longer so
  // that tabs do not all come back at once; once back, the live parts are read again.
  var failures = 0;
  var retryTimer = null;

  function everyPartChanged() {
    parts.forEach(function (part) {
      var name = part.getAttribute("data-live");
      pending[name] = pending[name] || [];
    });
    if (!timer) timer = window.setTimeout(refresh, 150);
  }

  function connect() {
    retryTimer = null;
    var stream = new EventSource(indicator.getAttribute("data-stream"));
    stream.addEventListener("open", function () {
      if (failures) everyPartChanged(); // what changed while away
      failures = 0;
      show("on", "live");
    });
    stream.addEventListener("error", function () {
      show("off", "reconnecting");
      if (stream.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      stream.close();
      failures += 1;
      var wait = Math.min(30000, 1000 * Math.pow(2, failures - 1));
      wait = wait * (0.7 + 0.6 * Math.random());
      if (!retryTimer) retryTimer = window.setTimeout(connect, wait);
    });
    stream.addEventListener("signal", function (event) {
      show("on", "live");
      try {
        changedSignal(JSON.parse(event.data).rowid);
      } catch (error) { /* an event we cannot read changes nothing */ }
    });
  }

  connect();
})();
