// Next, and what it ends: a visitor called but never started is closed as the clerk says
// ("Nicht erschienen" or "Erledigt", one click) unless office.toml rules it; the last close
// can be taken back for `undo_s` seconds. Loaded before clerk.js, which creates it.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { OUTCOME, UNDO } = window.townhallClerk.TEXTS;

  function createNextFlow({ api, counterId, run, say, view }) {
    let undoTimer = null;
    let offered = null; // the ticket whose close may be taken back
    let enabled = true;

    function hideAsk() { $("outcome").hidden = true; }

    function ask(ticket) {
      $("outcome-question").textContent = OUTCOME.question(ticket.number);
      $("outcome").hidden = false;
      $("outcome").querySelector("[data-outcome]").focus();
    }

    function outcomeOf(current, previous) {
      if (current.state === "serving") return "done";
      return previous || view().next_on_called;
    }

    function call(previous, mayHold) {
      const current = view().counter.current;
      return run(async () => {
        const query = new URLSearchParams();
        if (!mayHold) query.set("hold", "false");
        if (previous) query.set("previous", previous);
        const path = "/api/v1/counters/" + counterId + "/next" + (query.toString() ? "?" + query : "");
        let result;
        try {
          result = await api("POST", path);
        } catch (error) {
          if (error.code !== "previous_outcome_needed") throw error;
          ask(error.details.ticket || current);
          return;
        }
        hideAsk();
        if (current) offer(current, outcomeOf(current, previous), result && result.ticket);
        // A hold answer needs no message: the refreshed view shows it where the ticket would be.
        if (!result) say("Niemand wartet auf diesen Schalter.", "info");
      });
    }

    // The Next button: asks first when the current visitor was called but never started.
    function press() {
      const current = view().counter.current;
      if (current && current.state === "called" && view().next_on_called === "ask") { ask(current); return; }
      call(null, true);
    }

    function stopOffer() {
      clearInterval(undoTimer);
      undoTimer = null;
      offered = null;
      $("undo").hidden = true;
    }

    function offer(ticket, outcome, called) {
      stopOffer();
      const seconds = view().undo_s;
      if (!seconds || !UNDO.closed[outcome]) return;
      offered = ticket;
      $("undo-text").textContent = UNDO.closed[outcome](ticket.number) + (called ? UNDO.called(called.number) : "");
      const until = Date.now() + seconds * 1000;
      const tick = () => {
        const left = Math.ceil((until - Date.now()) / 1000);
        if (left <= 0) { stopOffer(); return; }
        $("undo-button").textContent = UNDO.button(left);
      };
      tick();
      $("undo").hidden = false;
      undoTimer = setInterval(tick, 250);
    }

    function undo() {
      const ticket = offered;
      if (!ticket) return;
      stopOffer();
      run(async () => {
        await api("POST", "/api/v1/tickets/" + ticket.id + "/reopen");
        say(UNDO.undone(ticket.number), "info");
      });
    }

    $("outcome").querySelectorAll("[data-outcome]").forEach((b) => {
      b.onclick = () => call(b.dataset.outcome, true);
    });
    $("outcome-cancel").onclick = hideAsk;
    $("undo-button").onclick = undo;

    return {
      press,
      callAnyway: () => call(null, false),
      // Fertig and Nicht erschienen on the current visitor may be taken back too.
      closed: (ticket, action) => offer(ticket, action, null),
      // The view changed: an ask about a visitor no longer called goes away.
      setView(next) {
        const current = next.counter.current;
        if (!current || current.state !== "called") hideAsk();
      },
      setEnabled(on) {
        enabled = on;
        document.querySelectorAll("#outcome button, #undo-button").forEach((b) => { b.disabled = !enabled; });
      },
    };
  }

  window.townhallClerk = Object.assign(window.townhallClerk || {}, { createNextFlow });
})();
