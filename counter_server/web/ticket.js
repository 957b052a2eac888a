// A visitor's own ticket (/t/{public_id}, the QR code on the ticket), followed live:
// server-sent events from GET /api/v1/tickets/public/{id}/stream, and polling the status
// every 15 s whenever the stream is refused (503 when the server has too many), dropped
// or not supported. Texts come from the one catalogue, in the language chosen at the kiosk.
(function () {
  "use strict";
  const POLL_MS = 15000;
  const STREAM_RETRY_MS = 60000; // a refused stream is asked for again this much later
  const FINAL = ["done", "no_show", "cancelled", "expired", "refused"];
  const publicId = location.pathname.split("/").pop();
  const statusUrl = "/api/v1/tickets/public/" + encodeURIComponent(publicId);
  const $ = (id) => document.getElementById(id);
  let words = null;
  let shown = null; // the status on screen
  let unknown = false;
  let source = null;
  let pollTimer = null;

  async function textsFor(lang) {
    if (words && words.lang === lang) return words;
    const namespaces = ["ticket_page"];
    // a phone language the office does not offer gets German, the office's language
    words = await townhallTexts.load(lang, namespaces).catch(() => townhallTexts.load("de", namespaces));
    words.apply(document);
    document.title = words.t("ticket_page.title");
    return words;
  }

  function where(t, w) {
    const place = w.place(t.counter);
    return place.label + (place.room ? " (" + place.room + ")" : "");
  }

  // A count that grows is never shown without saying why; the reason stays until the count
  // shrinks again. It counts those who came first (core/ahead.py), so it grows only when one
  // of them waits again: back from the counter (parked, transferred, a no-show taken back) or
  // a ticket an offline kiosk issued earlier and sent late. Booked visitors and urgent cases
  // called out of turn move the minutes, not this count.
  let lastAhead = null;
  let movedBack = false;

  function noteAhead(t) {
    const ahead = t.state === "waiting" && typeof t.ahead === "number" ? t.ahead : null;
    if (ahead !== null && lastAhead !== null && ahead !== lastAhead) movedBack = ahead > lastAhead;
    lastAhead = ahead;
  }

  function stateLines(t, w) {
    if (t.state === "waiting") {
      // people ahead: those waiting for the same errand who came first (the kiosk's count too)
      const lines = typeof t.ahead === "number" ? [w.t("ticket_page.ahead", { n: t.ahead })] : [];
      if (movedBack) lines.push(w.t("ticket_page.moved_back"));
      if (t.eta_reason === "no_counter_open") {
        // opens_at is in the office's time zone: its clock time is the one on the door
        lines.push(t.opens_at ? w.t("ticket_page.counters_open_at", { time: t.opens_at.slice(11, 16) })
                              : w.t("ticket_page.no_counter_open"));
      } else if (t.eta_min !== null && t.eta_min !== undefined) {
        lines.push(w.plural("ticket_page.eta", t.eta_min));
      }
      return lines;
    }
    if (t.state === "called") return [w.t("ticket_page.called", { counter: where(t, w) })];
    if (t.state === "no_show") return [w.t("ticket_page.no_show"), w.t("ticket_page.no_show_next")];
    if (["serving", "done", "parked", "pending", "refused"].includes(t.state)) return [w.t("ticket_page." + t.state)];
    return [w.t("ticket_page.gone")];
  }

  function line(text) {
    const node = document.createElement("div");
    node.textContent = text;
    return node;
  }

  // --- the call: ring and vibrate once per call (a recall counts again), also across a reload

  function alreadySignalled(t) {
    const key = "townhall.signalled." + publicId;
    try {
      if (sessionStorage.getItem(key) === String(t.call_count)) return true;
      sessionStorage.setItem(key, String(t.call_count));
    } catch (error) {
      // storage blocked (private mode): compare with what is on screen instead
      return shown !== null && shown.state === "called" && shown.call_count === t.call_count;
    }
    return false;
  }

  function signalCall(t) {
    if (t.state !== "called" || alreadySignalled(t)) return;
    townhallTones.vibrate();
    townhallTones.chime();
  }

  function offerSignal(t) {
    const open = !FINAL.includes(t.state) && !unknown;
    $("alert-on").hidden = !open || !$("alert-ready").hidden;
    if (!open) $("alert-ready").hidden = true;
  }

  $("alert-on").addEventListener("click", () => {
    townhallTones.unlock().catch(() => {});
    townhallTones.vibrate([200]);
    townhallTones.chime();
    $("alert-on").hidden = true;
    $("alert-ready").hidden = false;
  });

  // --- rendering

  async function show(t) {
    const w = await textsFor(t.lang);
    $("office").textContent = t.office.name;
    $("number").textContent = t.number;
    $("service").textContent = t.service.names[t.lang] || t.service.names.de;
    const called = t.state === "called";
    $("turn").textContent = called ? w.t("ticket_page.your_turn", { counter: w.place(t.counter).label }) : "";
    const card = $("card");
    card.className = "card" + (called ? " called" : "") + (t.state === "no_show" ? " ended" : "");
    noteAhead(t);
    card.replaceChildren(...stateLines(t, w).map(line));
    $("offline").hidden = true;
    offerSignal(t);
    signalCall(t);
    shown = t;
  }

  async function showUnknown() {
    unknown = true;
    stopFollowing();
    const w = await textsFor((navigator.language || "de").slice(0, 2));
    ["number", "service", "note", "offline", "alert-on", "alert-ready"].forEach((id) => { $(id).hidden = true; });
    $("turn").textContent = "";
    $("card").className = "card ended";
    $("card").replaceChildren(line(w.t("ticket_page.unknown")), line(w.t("ticket_page.unknown_help")));
  }

  function showOffline() {
    if (!unknown) $("offline").hidden = false;
  }

  // --- following the ticket

  async function poll() {
    let response;
    try {
      response = await fetch(statusUrl, { cache: "no-store" });
    } catch (error) {
      showOffline();
      return;
    }
    if (response.status === 404) return showUnknown();
    if (!response.ok) return showOffline();
    await show(await response.json());
  }

  function startPolling() {
    if (pollTimer === null && !unknown) pollTimer = setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    if (pollTimer !== null) clearInterval(pollTimer);
    pollTimer = null;
  }

  function stopFollowing() {
    stopPolling();
    if (source !== null) source.close();
    source = null;
  }

  function follow() {
    if (unknown || source !== null) return;
    if (typeof EventSource !== "function") return startPolling();
    source = new EventSource(statusUrl + "/stream");
    source.onmessage = (message) => {
      stopPolling();
      show(JSON.parse(message.data));
    };
    // the ticket is finished: nothing more will come, but a clerk's undo is still seen by polling
    source.addEventListener("end", () => {
      source.close();
      source = null;
      startPolling();
    });
    source.onerror = () => {
      startPolling(); // while the browser reconnects by itself, or for good when it gave up
      if (source !== null && source.readyState === EventSource.CLOSED) {
        source = null;
        poll(); // refused (503) or unknown (404): the status route says which
        setTimeout(follow, STREAM_RETRY_MS);
      }
    };
  }

  poll();
  follow();
})();
