/* Yakuba displays, kiosk and ticket status: live updates over Server-Sent Events (htmx-ext-sse),
 * catch-up after a lost connection, a chime and spoken calls that queue up and are never cut off.
 * Everything here runs offline: WebAudio for the chime, the browser's own speechSynthesis
 * (local voices preferred) for the voice. Loaded after htmx and before the SSE extension. */
(function () {
  "use strict";

  var body = document.body;
  var lastSeq = Number((body && body.dataset.since) || 0);
  var announced = {};
  var KEEP = 40;

  /* -- EventSource with catch-up -------------------------------------------------------------
   * A call's SSE id is its board's sequence number, which follows commit order. The browser's
   * own reconnect sends Last-Event-ID; when htmx opens a new EventSource after a hard failure
   * (or a 429 from the per-address limit), the last number seen goes in ?since= so the server
   * replays every call after it. */
  window.htmx.createEventSource = function (url) {
    var target = new URL(url, window.location.href);
    if (lastSeq) { target.searchParams.set("since", String(lastSeq)); }
    var source = new EventSource(target.toString(), { withCredentials: true });
    ["call", "ready"].forEach(function (name) {
      source.addEventListener(name, function (event) {
        var seq = Number(event.lastEventId || 0);
        if (seq > lastSeq) { lastSeq = seq; }
      });
    });
    return source;
  };

  function liveState(ok) {
    var el = document.getElementById("live-state");
    if (!el) { return; }
    el.textContent = ok ? el.dataset.ok : el.dataset.lost;
    el.classList.toggle("lost", !ok);
  }
  document.addEventListener("htmx:sseOpen", function () { liveState(true); });
  document.addEventListener("htmx:sseError", function () { liveState(false); });

  /* -- calls: drop repeats (a replay after reconnecting), announce new ones ------------------ */
  function callFrom(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.querySelector("[data-call-id]");
  }

  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    if (event.detail.type !== "call") { return; }
    var call = callFrom(event.detail.data || "");
    if (!call) { return; }
    var list = event.target;
    if (list.querySelector('[data-call-id="' + call.dataset.callId + '"]')) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:sseMessage", function (event) {
    if (event.detail.type !== "call") { return; }
    var list = event.target;
    var fresh = list.firstElementChild;
    if (!fresh || !fresh.dataset.callId) { return; }
    // a recall moves the number to the top of both lists instead of showing it twice
    Array.prototype.forEach.call(list.querySelectorAll('[data-label="' + fresh.dataset.label + '"]'),
      function (el) { if (el !== fresh) { el.remove(); } });
    if (list.id === "now-calls") {
      announce(fresh.dataset.callId, fresh.dataset.speech);
    }
    while (list.children.length > KEEP) { list.lastElementChild.remove(); }
    showHistory();
  });

  /* -- finished numbers leave 「ただいまお呼びしている番号」 ------------------------------------
   * Each update of the waiting side says which numbers are still called as of a call number;
   * a call up to that number whose ticket is no longer called (served, finished, gone) goes. */
  document.addEventListener("htmx:afterSettle", function () {
    var still = document.getElementById("still-called");
    var now = document.getElementById("now-calls");
    if (!still || !now) { return; }
    var upto = Number(still.dataset.seq || 0);
    var labels = (still.dataset.labels || "").split(" ");
    Array.prototype.forEach.call(now.querySelectorAll("[data-call-id]"), function (el) {
      if (Number(el.dataset.seq || 0) <= upto && labels.indexOf(el.dataset.label) < 0) { el.remove(); }
    });
    showHistory();
  });

  /* The history shows the calls the big rows above do not (at most HISTORY of them). */
  var SHOWN_ABOVE = 3, HISTORY = 6;
  function showHistory() {
    var now = document.getElementById("now-calls");
    var history = document.getElementById("history-calls");
    if (!now || !history) { return; }
    var above = Array.prototype.slice.call(now.querySelectorAll("[data-call-id]"), 0, SHOWN_ABOVE)
      .map(function (el) { return el.dataset.label; });
    var shown = 0;
    Array.prototype.forEach.call(history.querySelectorAll("[data-call-id]"), function (el) {
      var show = above.indexOf(el.dataset.label) < 0 && shown < HISTORY;
      if (show) { shown += 1; }
      el.hidden = !show;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showHistory);
  } else {
    showHistory();
  }

  /* -- sound ------------------------------------------------------------------------------------ */
  var audio = null;
  function audioContext() {
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    }
    return audio;
  }

  function tone(ctx, freq, start, length) {
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.5, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(start);
    osc.stop(start + length + 0.05);
  }

  function chime() {
    var ctx = audioContext();
    if (!ctx) { return Promise.resolve(); }
    var t = ctx.currentTime + 0.05;
    tone(ctx, 1046.5, t, 0.7);   // ピン
    tone(ctx, 784.0, t + 0.55, 1.1);  // ポーン
    return wait(1700);
  }

  function wait(ms) { return new Promise(function (resolve) { window.setTimeout(resolve, ms); }); }

  function japaneseVoice() {
    if (!("speechSynthesis" in window)) { return null; }
    var voices = window.speechSynthesis.getVoices().filter(function (v) { return /^ja/i.test(v.lang); });
    // a voice on this machine keeps working when the network does not
    return voices.filter(function (v) { return v.localService; })[0] || voices[0] || null;
  }

  function speak(text) {
    if (!("speechSynthesis" in window) || !text) { return Promise.resolve(); }
    return new Promise(function (resolve) {
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "ja-JP";
      utterance.rate = 0.9;
      var voice = japaneseVoice();
      if (voice) { utterance.voice = voice; }
      var done = false;
      function finish() { if (!done) { done = true; resolve(); } }
      utterance.onend = finish;
      utterance.onerror = finish;
      // some engines never report the end: go on after a generous time for the text
      window.setTimeout(finish, 4000 + text.length * 400);
      window.speechSynthesis.speak(utterance);  // never cancel(): a call is not cut off
    });
  }

  /* Calls queue up: each is chimed and spoken in full before the next begins. */
  var pending = [];
  var busy = false;
  window.yakubaAnnouncements = [];

  function announce(id, text) {
    if (!id || announced[id]) { return; }
    announced[id] = true;
    pending.push(text || "");
    if (!busy) { next(); }
  }

  function next() {
    var text = pending.shift();
    if (text === undefined) { busy = false; return; }
    busy = true;
    window.yakubaAnnouncements.push(text);
    chime().then(function () { return speak(text); }).then(function () { return wait(500); })
      .then(function () { return speak(text); })  // said twice, as counters do
      .then(function () { return wait(800); }).then(next, next);
  }

  /* Kiosk-mode browsers start with sound allowed (--autoplay-policy=no-user-gesture-required);
   * otherwise one touch on the button enables it. */
  function offerUnlock() {
    var button = document.getElementById("sound-unlock");
    var ctx = audioContext();
    if (!button || !ctx || ctx.state !== "suspended") { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      ctx.resume();
      button.hidden = true;
    });
  }

  /* The sound check page (/displays/<board>/check), opened on the display's own browser: can
   * this browser play sound without a touch? The chime plays at once if it can. */
  function checkSound() {
    var state = document.getElementById("autoplay-state");
    if (!state) { return; }
    var ctx = audioContext();
    function report(allowed) {
      state.dataset.state = allowed ? "allowed" : "blocked";
      state.textContent = allowed ? state.dataset.allowed : state.dataset.blocked;
      if (allowed) { chime(); }
    }
    if (!ctx) { report(false); return; }
    document.getElementById("play-chime").addEventListener("click", function () {
      ctx.resume().then(chime);
    });
    if (ctx.state === "running") { report(true); return; }
    // An allowed context may start suspended and run a moment later; one that needs a touch
    // stays suspended (its resume() waits for the touch).
    var allowed = false;
    function running() {
      if (!allowed && ctx.state === "running") { allowed = true; report(true); }
    }
    ctx.addEventListener("statechange", running);
    ctx.resume().then(running);
    window.setTimeout(function () { if (!allowed) { report(false); } }, 2000);
  }

  /* -- clock ------------------------------------------------------------------------------------ */
  function tick() {
    var el = document.getElementById("clock");
    if (!el) { return; }
    var now = new Date();
    el.textContent = now.getHours() + ":" + String(now.getMinutes()).padStart(2, "0");
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-call-id]"), function (el) {
      announced[el.dataset.callId] = true;  // already on screen when the page opened
    });
    offerUnlock();
    checkSound();
    tick();
    window.setInterval(tick, 5000);
  });
})();
