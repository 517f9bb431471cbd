// The register's payment form (issue 15 §1 "The visit"): a ちょうど button puts the bill's total
// into お預かり金額, and the change is shown as the cashier types, before the payment is
// confirmed. The server still computes the change it records (app/register/fees.py change_due);
// this only previews it. Full-width digits are folded as the form layer does.
(() => {
  "use strict";
  // a boosted page brings this script again in its <body>: listen once
  if (window.yakubaChangePreview) return;
  window.yakubaChangePreview = true;
  const fold = (text) => text.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[,，、\s円]/g, "");
  const update = (form) => {
    const out = form.querySelector("[data-change-preview]");
    const input = form.querySelector("input[name=received]");
    if (!out || !input) return;
    const total = Number(form.dataset.total);
    const text = fold(input.value);
    if (text === "" || !/^\d+$/.test(text)) { out.textContent = "—"; out.classList.remove("short"); return; }
    const change = Number(text) - total;
    out.textContent = change >= 0 ? `${change.toLocaleString("ja-JP")}円`
      : `${(-change).toLocaleString("ja-JP")}円 不足`;
    out.classList.toggle("short", change < 0);
  };
  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("form[data-total]");
    if (form) update(form);
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-exact-amount]");
    if (!button) return;
    const form = button.closest("form[data-total]");
    const input = form && form.querySelector("input[name=received]");
    if (!input) return;
    input.value = form.dataset.total;
    update(form);
    const submit = form.querySelector("button[type=submit]");
    if (submit) submit.focus();
  });
})();
