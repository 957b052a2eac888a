// The supervisor view, live: after each burst of events (and every 20 s, for the clocks)
// the server renders the panel again and it replaces the old one. The websocket is
// authorised by the console session's cookie; no token lives in the page.
(function () {
  "use strict";
  const panel = document.getElementById("panel");
  const live = document.getElementById("live");
  let timer = null;
  const HOLD_CHOICE_MS = 30000;  // an abandoned choice holds the panel no longer than this

  let chosenAt = 0;
  panel.addEventListener("change", (event) => {
    if (event.target.tagName === "SELECT") chosenAt = Date.now();
  });

  function choicePending() {
    // a choice made in a select but not sent yet: the swap would silently undo it
    if (Date.now() - chosenAt > HOLD_CHOICE_MS) return false;
    return Array.from(panel.querySelectorAll("select")).some(
      (select) => Array.from(select.options).some((option) => option.selected !== option.defaultSelected));
  }

  function busy() {
    // never swap the panel under a select the office head has open, or a choice not yet sent
    const focused = document.activeElement;
    return (focused && panel.contains(focused) && focused.tagName === "SELECT") || choicePending();
  }

  async function refresh() {
    timer = null;
    if (busy()) { refreshSoon(2000); return; }
    const answer = await fetch("/supervisor/panel", { credentials: "same-origin" });
    if (answer.status === 200) {
      const html = await answer.text();
      // a choice made while the panel was on its way would be undone by the swap
      if (busy()) { refreshSoon(2000); return; }
      panel.innerHTML = html;
    } else if (answer.redirected || answer.status === 401 || answer.status === 403) location.reload();
  }

  function refreshSoon(ms) {
    if (timer === null) timer = setTimeout(refresh, ms);
  }

  window.townhallLive.follow({
    token: "",
    onEvent: () => refreshSoon(150),
    onOpen: () => { live.textContent = "live"; refreshSoon(0); },
    onClose: () => { live.textContent = "keine Verbindung – versuche erneut"; },
  });
  setInterval(() => refreshSoon(0), 20000);
})();
