// The case page follows its case (issue 15 §1): the page's SSE stream puts the case's state into
// #case-live-state on each change; when it differs from the state the page shows, the page's
// main part is fetched again (the city's decision appears without F5), and again until the page
// shows the latest state. While a request of the page is under way (the operator's own step,
// whose answer is the fresh page and carries its message) the fetch waits for it. The state a
// stream sends as it opens counts too: a change made while it was reconnecting is not missed.
// A boosted page brings this script again in its <body>: listen once.
(() => {
  "use strict";
  if (window.yakubaCaseLive) return;
  window.yakubaCaseLive = true;
  let latest = null;  // {url, state}: the last change the stream told of
  let fetching = false;
  const refresh = () => {
    const main = document.getElementById("case-main");
    if (!main || !latest || fetching || latest.url !== main.dataset.url || latest.state === main.dataset.state) return;
    if (document.querySelector(".htmx-request")) {  // the page's own request first
      window.setTimeout(refresh, 200);
      return;
    }
    fetching = true;
    window.htmx.ajax("GET", main.dataset.url, {target: "#case-main", select: "#case-main", swap: "outerHTML"})
      .finally(() => { fetching = false; window.setTimeout(refresh, 0); });
  };
  document.addEventListener("htmx:sseMessage", (event) => {
    const main = document.getElementById("case-main");
    const live = document.getElementById("case-live-state");
    const state = live ? live.textContent.trim() : "";
    if (!main || !state || !main.contains(event.target)) return;
    latest = {url: main.dataset.url, state};  // the stream's first word too: a page may be behind
    refresh();
  });
})();
