// A page that fails an htmx request says why (issue 13 §3). htmx swaps nothing for a 4xx or 5xx
// answer (the htmx-config in base.html), so a refused click would otherwise do nothing visible:
// a refusal (403), an expired page (400, CSRF), a server error (500) or no answer at all shows
// the banner #request-error with the Japanese words of the error page (templates/errors/error.html),
// or of app/web/errors.py MESSAGES when the answer is not one. A 422 is the page's own answer to
// a form: a fragment is swapped into its target as before; a whole page replaces the page, so
// its form shows what to correct.
(() => {
  "use strict";
  // a boosted page brings this script again in its <body>: listen once
  if (window.yakubaRequestErrors) return;
  window.yakubaRequestErrors = true;
  let failedElement = null;

  function known() {
    const script = document.getElementById("request-error-messages");
    return script ? JSON.parse(script.textContent) : {};
  }

  function wordsOf(xhr) {
    const text = xhr && typeof xhr.responseText === "string" ? xhr.responseText : "";
    const page = text && new DOMParser().parseFromString(text, "text/html").querySelector("[data-error-title]");
    if (page) {
      const message = page.parentElement.querySelector("[data-error-message]");
      return [page.textContent.trim(), message ? message.textContent.trim() : ""];
    }
    const messages = known();
    return messages[String(xhr ? xhr.status : 0)] || messages.default || ["エラーが発生しました", ""];
  }

  function show(words, element) {
    const banner = document.getElementById("request-error");
    if (!banner) return;
    banner.hidden = false;
    banner.querySelector("[data-request-error-title]").textContent = words[0];
    banner.querySelector("[data-request-error-message]").textContent = words[1];
    failedElement = element;
  }

  function hide() {
    const banner = document.getElementById("request-error");
    if (banner) banner.hidden = true;
    failedElement = null;
  }

  document.addEventListener("htmx:responseError", (event) => {
    show(wordsOf(event.detail.xhr), event.detail.elt);
  });

  document.addEventListener("htmx:sendError", (event) => {
    show(known().network || ["サーバーに接続できませんでした", ""], event.detail.elt);
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    // the request that failed has gone through since (a poll that recovered, a retried click)
    if (event.detail.successful && event.detail.elt === failedElement) hide();
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    const wholePage = /<html[\s>]/i.test(String(detail.serverResponse || "").slice(0, 500));
    if (detail.xhr.status === 422 && wholePage && detail.target !== document.body) {
      detail.target = document.body;
      detail.swapOverride = "innerHTML";
    }
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-request-error-close]")) hide();
  });
})();
