// The setup page's "send a test alert": a real POST to the webhook, as TradingView makes it,
// then the stored signal read back from the API.
(function () {
  "use strict";
  var form = document.getElementById("test-alert");
  var result = document.getElementById("test-alert-result");
  if (!form || !result) return;

  function say(text, kind) {
    result.className = kind || "";
    result.textContent = text;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var tag = "test alert " + Date.now();
    var alert = {
      passphrase: form.getAttribute("data-passphrase"),
      ticker: form.elements.ticker.value,
      order_action: "buy",
      order_contracts: 1,
      order_status: "canceled",
      status_msg: "test alert from the setup page: not for the broker",
      order_comment: tag
    };
    say("Sending…");
    fetch(form.getAttribute("data-webhook"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(alert)
    })
      .then(function (answer) {
        return answer.json().then(function (body) { return { status: answer.status, body: body }; });
      })
      .then(function (sent) {
        if (sent.status !== 201) {
          say("The webhook answered " + sent.status + ": " + JSON.stringify(sent.body.message), "warning");
          return null;
        }
        return fetch(form.getAttribute("data-api") + "/signals/20", { credentials: "same-origin" })
          .then(function (answer) { return answer.json(); })
          .then(function (list) {
            var stored = (list.signals || []).filter(function (s) { return s.order_comment === tag; })[0];
            if (!stored) {
              say("The webhook answered 201 (" + sent.body.message + "); the signal is not in the newest 20.", "notice");
              return;
            }
            result.className = "notice";
            result.textContent = "";
            var line = document.createElement("p");
            line.textContent = "Stored as #" + stored.rowid + ": " + stored.ticker + " → " +
              (stored.ticker1 || "?") + (stored.ticker2 ? " / " + stored.ticker2 : "") +
              ", status " + stored.order_status + " (" + (stored.status_msg || "") + "). " +
              "The webhook said: " + sent.body.message;
            var link = document.createElement("a");
            link.href = "/signals/" + stored.rowid;
            link.textContent = "Open it";
            result.appendChild(line);
            result.appendChild(link);
          });
      })
      .catch(function (error) { say("Could not reach the webhook: " + error, "warning"); });
  });
})();
