// The visitor-facing PIN pad (templates/devices/_pin_pad.html): large keys put digits into the
// masked field; 訂正 clears it. Nothing is kept or sent anywhere but the pad's own form.
(() => {
  "use strict";
  if (window.yakubaPinPad) return;  // a boosted page brings this script again: listen once
  window.yakubaPinPad = true;
  document.addEventListener("click", (event) => {
    const key = event.target.closest && event.target.closest("[data-pad-key], [data-pad-clear]");
    if (!key) return;
    const input = key.closest("form").querySelector("input[name=pin]");
    if (key.hasAttribute("data-pad-clear")) input.value = "";
    else if (input.value.length < 4) input.value += key.dataset.padKey;
  });
})();
