// Improves the booking forms: solves the ALTCHA proof of work (SHA-256, WebCrypto) in the
// background, so the server grants the looser limit. Without this script booking still works.
"use strict";
(function () {
  async function sha256Hex(text) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function solve(challenge) {
    for (let number = 0; number <= challenge.maxNumber; number++) {
      if ((await sha256Hex(challenge.salt + number)) === challenge.challenge) {
        const payload = { algorithm: challenge.algorithm, challenge: challenge.challenge, number,
          salt: challenge.salt, signature: challenge.signature };
        return btoa(JSON.stringify(payload));
      }
    }
    return "";
  }

  function improve(form) {
    if (!window.crypto || !crypto.subtle) return;  // not a secure context: plain form, stricter limit
    const field = form.querySelector("input[name=altcha]");
    const status = form.querySelector("[data-altcha-status]");
    const solving = solve(JSON.parse(form.dataset.altcha)).then((payload) => { field.value = payload; });
    let sending = false;
    form.addEventListener("submit", (event) => {
      if (field.value || sending) return;
      event.preventDefault();
      sending = true;
      // the pressed button's name and value go with the form (a list of times is one form)
      const button = event.submitter || form.querySelector("button[type=submit]");
      if (status && button) status.textContent = button.dataset.checking || "";
      solving.finally(() => (form.requestSubmit ? form.requestSubmit(event.submitter || null) : form.submit()));
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-altcha]").forEach(improve);
  });
})();
