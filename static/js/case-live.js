// The case page follows its case (issue 15 §1): the page's SSE stream puts the case's state into
// #case-live-state on each change; when it differs from the state the page shows, the page's
// main part is fetched again (the city's decision appears without F5). A boosted page brings
// this script again in its <body>: listen once.
(() => {
  "use strict";
  if (window.yakubaCaseLive) return;
  window.yakubaCaseLive = true;
  document.addEventListener("htmx:sseMessage", (event) => {
    const live = document.getElementById("case-live-state");
    const main = document.getElementById("case-main");
    if (!live || !main || !main.contains(event.target)) return;
    const state = live.textContent.trim();
    if (!state || state === main.dataset.state) return;
    main.dataset.state = state;  // one fetch per change
    window.htmx.ajax("GET", main.dataset.url, {target: "#case-main", select: "#case-main", swap: "outerHTML"});
  });
})();
