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

  var stream = new EventSource(indicator.getAttribute("data-stream"));
  stream.addEventListener("open", function () { show("on", "live"); });
  stream.addEventListener("error", function () {
    show("off", stream.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
  });
  stream.addEventListener("signal", function (event) {
    show("on", "live");
    try {
      changedSignal(JSON.parse(event.data).rowid);
    } catch (error) { /* an event we cannot read changes nothing */ }
  });
})();
