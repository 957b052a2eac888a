// The visitor's phone signals the call: a short chime made with WebAudio (no sound file
// fetched) and a vibration, where the browser allows. Phones allow both only after the
// visitor touched the page once, so the status page offers a button that calls unlock().
window.townhallTones = (function () {
  "use strict";
  // three notes, each [frequency in Hz, start in s]: recognisable, and short
  const NOTES = [[880, 0], [659, 0.3], [880, 0.6]];
  const NOTE_S = 0.26;
  const PATTERN_MS = [400, 200, 400, 200, 800];
  let context = null;

  function audio() {
    const Audio = window.AudioContext || window.webkitAudioContext;
    if (!Audio) return null;
    if (context === null) context = new Audio();
    return context;
  }

  function note(c, hz, at) {
    const oscillator = c.createOscillator();
    const gain = c.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = hz;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.5, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + NOTE_S);
    oscillator.connect(gain);
    gain.connect(c.destination);
    oscillator.start(at);
    oscillator.stop(at + NOTE_S + 0.02);
  }

  // Whether a chime was started (a browser without WebAudio, or one that still blocks it, stays silent).
  function chime() {
    const c = audio();
    if (c === null) return false;
    if (c.state === "suspended") c.resume().catch(() => {});
    const start = c.currentTime + 0.05;
    NOTES.forEach(([hz, at]) => note(c, hz, start + at));
    return c.state !== "suspended";
  }

  function vibrate(pattern) {
    if (typeof navigator.vibrate !== "function") return false;
    try {
      return navigator.vibrate(pattern || PATTERN_MS);
    } catch (error) {
      return false;
    }
  }

  // From a tap: lets later calls of chime() and vibrate() through.
  function unlock() {
    const c = audio();
    return c === null ? Promise.resolve() : c.resume();
  }

  return { chime: chime, vibrate: vibrate, unlock: unlock };
})();
