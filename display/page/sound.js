// The display's sounds: the chime before a call and the server's spoken call (a WAV clip).
(function () {
  "use strict";

  // A soft two-tone gong, synthesised so that no sound file has to be fetched.
  let audio = null;
  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [[659.25, 0], [523.25, 0.45]].forEach(([freq, at]) => {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = freq;
        osc.type = "sine";
        gain.gain.setValueAtTime(0.0001, audio.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.4, audio.currentTime + at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + at + 1.2);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + at);
        osc.stop(audio.currentTime + at + 1.3);
      });
    } catch (e) { /* no audio device: the flashing number still shows the call */ }
  }

  function waitUntil(at) {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
  }

  // Plays `src` on `player` from `notBefore` on; resolves when it ended, failed or took `limitMs`.
  function playClip(player, src, notBefore, limitMs) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (state) => {
        if (done) return;
        done = true;
        player.dataset.state = state;
        clearTimeout(limit);
        resolve();
      };
      const limit = setTimeout(() => finish("timeout"), limitMs);
      player.onended = () => finish("ended");
      player.onerror = () => finish("error");
      player.dataset.state = "loading";
      player.src = src;
      player.load();  // synthesis and download overlap with the chime
      waitUntil(notBefore).then(() => {
        if (done) return;
        player.play().then(() => { if (!done) player.dataset.state = "playing"; }, (error) => {
          // Autoplay refused (no --autoplay-policy flag): the chime and the flashing number still call.
          finish(error && error.name === "NotAllowedError" ? "blocked" : "error");
        });
      });
    });
  }

  window.townhallSound = { chime, waitUntil, playClip };
})();
