// The clerk page's German words for what the server says: every refusal in plain German with
// what to do next, and why the queue proposes a visitor. Loaded first; the server's English
// messages are never shown raw.
(function () {
  "use strict";
  const LANGUAGES = { de: "Deutsch", en: "Englisch", tr: "Türkisch", ar: "Arabisch", uk: "Ukrainisch", ru: "Russisch" };
  const withNumber = (d, before, after) => before + (d.ticket ? " (" + d.ticket.number + ")" : "") + after;

  // Error codes of README ## Error codes a clerk can meet; `d` are the error's details.
  const ERRORS = {
    offline: () => "Keine Verbindung zum Server. Die Seite verbindet sich neu – bitte kurz warten und dann erneut klicken.",
    unauthorized: () => "Dieser Zugang ist unbekannt oder gesperrt. Bitte den Link für diesen Schalter bei der IT neu anfordern.",
    forbidden: () => "Das ist an diesem Arbeitsplatz nicht erlaubt. Bitte den Link für diesen Schalter verwenden.",
    counter_not_open: () => "Der Schalter ist nicht geöffnet. Bitte zuerst „Öffnen“ wählen.",
    counter_busy: (d) => withNumber(d, "Am Schalter läuft noch ein Vorgang", ". Bitte ihn zuerst abschließen."),
    invalid_transition: () => "Das passt nicht mehr zum Stand des Vorgangs. Die Ansicht ist jetzt aktuell – bitte noch einmal prüfen.",
    unknown_ticket: () => "Diese Nummer gibt es nicht mehr. Die Ansicht ist jetzt aktuell.",
    skill_missing: () => "Dieser Schalter bearbeitet dieses Anliegen nicht. Bitte ein anderes Anliegen oder einen anderen Schalter wählen.",
    unknown_service: () => "Dieses Anliegen ist nicht eingerichtet. Bitte ein anderes wählen.",
    unknown_counter: () => "Diesen Schalter gibt es nicht. Bitte einen anderen wählen.",
    previous_outcome_needed: (d) => withNumber(d, "Die aufgerufene Person", " wurde nicht begonnen. Bitte wählen: „Nicht erschienen“ oder „Erledigt“."),
    undo_expired: () => "Rückgängig ist nicht mehr möglich – die Zeit dafür ist abgelaufen.",
    idempotency_key_reused: () => "Dieser Klick wurde schon verarbeitet. Bitte die Seite neu laden (F5).",
    invalid_request: () => "Die Eingabe wurde nicht angenommen. Bitte prüfen und erneut versuchen.",
    storage_unavailable: () => "Der Server konnte gerade nicht speichern. Bitte in einer Minute erneut versuchen; bleibt es so, die IT anrufen.",
  };

  function errorText(error) {
    const known = error && ERRORS[error.code];
    if (known) return known(error.details || {});
    const code = (error && error.code) || "unbekannt";
    return "Das hat nicht geklappt (Fehler „" + code + "“). Bitte erneut versuchen; passiert es wieder, die IT informieren.";
  }

  // Why the proposed visitor comes next (counter_server/core/explain.py); `clock` formats a time.
  const REASONS = {
    longest_wait: () => "wartet am längsten",
    overdue: (r) => "wartet schon " + r.waited_min + " min – Höchstwartezeit erreicht",
    urgent: () => "Vorrang: dringend",
    assist: () => "Vorrang: Unterstützung",
    language: (r) => "Sprache: " + (LANGUAGES[r.lang] || r.lang),
    target: () => "an diesen Schalter zurückgeschickt",
    primary: () => "Hauptaufgabe dieses Schalters",
    short: () => "kurzes Anliegen",
    scarce: () => "nur wenige Schalter für dieses Anliegen offen",
    appointment: (r, clock) => "Termin " + clock(r.appointment_at),
    appointment_late: (r, clock) => "Termin " + clock(r.appointment_at) + " – schon überfällig",
    appointment_early: (r, clock) => "Termin " + clock(r.appointment_at) + " – früh da, sonst wartet niemand",
    // the slot guard changed the order: one short sentence saying for which slot
    slot_guard: (r, clock) => r.appointment_at ? "Termin " + clock(r.appointment_at) + " – sonst zu spät"
      : "Termin – sonst zu spät",
    slot_guard_short: (r, clock) => r.appointment_at ? "Kurzes Anliegen vor Termin " + clock(r.appointment_at) + " – sonst zu spät"
      : "endet vor dem nächsten Termin",
  };

  function reasonText(reason, clock) {
    const known = reason && REASONS[reason.code];
    return known ? known(reason, clock) : "";
  }

  const OUTCOME = {
    question: (number) => number + " wurde aufgerufen, aber nicht begonnen. Wie ging es aus?",
    no_show: "Nicht erschienen",
    done: "Erledigt",
    cancel: "Abbrechen",
  };
  const UNDO = {
    closed: { done: (n) => n + " erledigt.", no_show: (n) => n + " als nicht erschienen vermerkt." },
    called: (n) => " " + n + " ist aufgerufen.",
    button: (s) => "Rückgängig (" + s + " s)",
    undone: (n) => n + " ist wieder am Schalter.",
  };
  const CONNECTION = {
    online: "verbunden",
    reconnecting: "Verbindung unterbrochen – verbinde neu …",
    banner: "Keine Verbindung zum Server. Die Seite verbindet sich von selbst neu; bis dahin sind die Knöpfe gesperrt. "
      + "Bleibt es länger so: Netzwerkkabel prüfen oder die IT anrufen.",
  };

  window.townhallClerk = Object.assign(window.townhallClerk || {},
    { errorText, reasonText, TEXTS: { OUTCOME, UNDO, CONNECTION } });
})();
