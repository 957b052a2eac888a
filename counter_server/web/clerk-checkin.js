// Check in a booked visitor by booking code at the counter, for those the kiosk did not help
// (no smartphone, a code on paper), and call them at once when this counter is free for them.
// Loaded before clerk.js, which creates it once the workstation's counter is known.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const { el } = window.townhallClerk; // from clerk-appointments.js, loaded first
  // The server gives these times in the office's own time: read them as written.
  const clock = (iso) => iso.slice(11, 16);
  const dayOf = (iso) => iso.slice(0, 10);
  const dateText = (iso) => dayOf(iso).split("-").reverse().join(".");
  const TEXT = {
    number: "Wartenummer",
    checkedIn: "eingecheckt",
    called: "aufgerufen",
    callNow: "Jetzt aufrufen",
  };

  // A booking of another day reads the same whether it is too early or too late.
  function otherDay(start, today) {
    if (!start || !today || dayOf(start) === today) return null;
    const verb = dayOf(start) < today ? "war" : "ist";
    return "Dieser Termin " + verb + " am " + dateText(start) + " um " + clock(start) + ", nicht heute.";
  }

  // The server's named refusals in the clerk's words; `d` are the error's details.
  const REASONS = {
    appointment_unknown: () => "Unbekannter Buchungscode.",
    appointment_already_checked_in: (d) => "Dieser Termin ist bereits eingecheckt"
      + (d.ticket ? " (" + d.ticket.number + ")." : "."),
    appointment_cancelled: () => "Dieser Termin wurde storniert.",
    appointment_too_early: (d, today) => otherDay(d.start, today)
      || "Check-in erst ab " + clock(d.checkin_from) + " möglich.",
    appointment_too_late: (d, today) => otherDay(d.start, today)
      || "Termin um " + clock(d.start) + " verpasst – Check-in nicht mehr möglich.",
    counter_busy: (d) => "Am Schalter läuft noch ein Vorgang" + (d.ticket ? " (" + d.ticket.number + ")." : "."),
    counter_not_open: () => "Der Schalter ist nicht geöffnet.",
    skill_missing: () => "Dieser Schalter bearbeitet dieses Anliegen nicht.",
    invalid_transition: () => "Diese Nummer wartet nicht mehr.",
    call_not_offered: () => "Nur hier eingecheckte Termine können direkt aufgerufen werden.",
  };

  function reason(error, today) {
    const known = error.code && REASONS[error.code];
    if (known) return known(error.details || {}, today);
    return window.townhallClerk.errorText(error); // never the server's English message
  }

  function createCheckin({ api, counterId, onChange }) {
    let view = null;
    let offered = null; // the ticket checked in here that this counter may call at once
    let seenWaiting = false; // whether a view since the check-in listed it as waiting here
    let pending = false;
    const form = $("checkin");
    const input = $("checkin-code");
    const submit = $("checkin-submit");
    const result = $("checkin-result");

    // Offered by the server at check-in, and still true by the latest look at the counter: open,
    // free, and the ticket not gone from the queue (the first look may predate the check-in).
    function callable() {
      if (!offered || !view || view.counter.state !== "open" || view.counter.current) return false;
      const waiting = view.waiting.some((t) => t.id === offered.id);
      seenWaiting = seenWaiting || waiting;
      return waiting || !seenWaiting;
    }

    function renderCall() {
      const button = $("checkin-call");
      if (button) button.hidden = !callable();
    }

    function showTicket(ticket, state) {
      const line = el("span", "checkin-ok");
      line.append(TEXT.number + " ", el("strong", "checkin-number", ticket.number), " – " + state);
      const call = el("button", "checkin-call", TEXT.callNow);
      call.type = "button";
      call.id = "checkin-call";
      call.onclick = callNow;
      result.className = "checkin-result ok";
      result.replaceChildren(line, call);
      renderCall();
    }

    function showError(error) {
      const today = view && view.now ? dayOf(view.now) : null;
      result.className = "checkin-result error";
      result.textContent = reason(error, today);
    }

    function busy(on) {
      pending = on;
      submit.disabled = on;
      const call = $("checkin-call");
      if (call) call.disabled = on;
    }

    // Resolves to whether the visitor is now checked in.
    async function checkIn(code) {
      if (pending) return false;
      busy(true);
      try {
        const language = $("checkin-lang");
        const answer = await api("POST", "/api/v1/counters/" + counterId + "/checkins",
          { appointment_code: code, lang: language.value });
        offered = answer.call_offered ? answer.ticket : null;
        seenWaiting = false;
        input.value = ""; // done with; the next visitor's code goes in fresh
        language.value = "de"; // and the next visitor's language is asked anew
        showTicket(answer.ticket, TEXT.checkedIn);
        onChange();
        return true;
      } catch (error) {
        showError(error);
        return false;
      } finally {
        busy(false);
      }
    }

    async function callNow() {
      if (pending || !offered) return;
      const ticket = offered;
      busy(true);
      try {
        await api("POST", "/api/v1/counters/" + counterId + "/call", { ticket_id: ticket.id });
        offered = null;
        showTicket(ticket, TEXT.called);
        onChange();
      } catch (error) {
        showError(error);
      } finally {
        busy(false);
      }
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!(await checkIn(input.value.trim()))) input.select();
    });
    input.disabled = false;
    submit.disabled = false;

    return {
      setView(next) { view = next; renderCall(); },
      // From a row of the appointment list: the row's button goes away with its state,
      // so keyboard focus moves on to the next step.
      async checkInRow(code) {
        if (!(await checkIn(code))) return;
        const call = $("checkin-call");
        (call && !call.hidden ? call : input).focus();
      },
    };
  }

  window.townhallClerk = Object.assign(window.townhallClerk || {}, { createCheckin });
})();
