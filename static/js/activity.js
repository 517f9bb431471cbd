// The requests a page sends by itself do not keep its session alive (issue 14 §4 "Idle
// timeout"): only a person's action counts. htmx hands every request the event that triggered
// it; a person's click, key or change is a trusted event (isTrusted), while a poll
// (hx-trigger="every …") and a load trigger have none, and a stream's event (hx-trigger="sse:…")
// is dispatched by a script. Those requests carry X-Yakuba-Background, which the server
// (app/auth/access.py) does not count as activity. Event streams themselves are told apart on
// the server by their Accept header.
(() => {
  "use strict";
  // a boosted page brings this script again in its <body>: listen once
  if (window.yakubaActivity) return;
  window.yakubaActivity = true;

  document.addEventListener("htmx:configRequest", (event) => {
    const trigger = event.detail.triggeringEvent;
    if (!trigger || !trigger.isTrusted) event.detail.headers["X-Yakuba-Background"] = "1";
  });
})();
