// Clerk workstation: one counter, one token. Every click carries its own Idempotency-Key.
(function () {
  "use strict";
  const token = new URLSearchParams(location.search).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const { el } = window.townhallClerk; // from clerk-appointments.js, loaded first
  let me = null;
  let view = null;
  let appointments = null;
  let checkin = null;
  const TEXT = {
    open: "geöffnet", paused: "pausiert", closed: "geschlossen",
    waiting: "wartet", called: "aufgerufen", serving: "in Bearbeitung", parked: "geparkt",
    walk_in: "Spontan", appointment: "Termin", assist: "Hilfe nötig", urgent: "dringend",
  };
  // The slot guard keeps this counter free for a booked visitor who has not checked in yet.
  const HOLD_TEXT = {
    reason: (time, service) => "Schalter bleibt frei für einen Termin um " + time + " (" + service + ").",
    absent: "Die Person ist noch nicht angemeldet.",
    callAnyway: "Trotzdem nächste Person aufrufen",
  };
  let holdTimer = null;

  function key() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function api(method, path, body) {
    const headers = { Authorization: "Bearer " + token };
    if (method !== "GET") headers["Idempotency-Key"] = key();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const failure = data.error || {};
      const error = new Error(failure.message || "Fehler " + response.status);
      // The named reason and its details, for messages in the clerk's words.
      error.code = failure.code || "http_" + response.status;
      error.details = failure.details || {};
      throw error;
    }
    return data;
  }

  function say(text, kind) {
    const box = $("message");
    box.textContent = text;
    box.className = "message" + (kind ? " " + kind : "");
    box.hidden = !text;
  }

  function serviceName(id) {
    const s = view && view.services.find((x) => x.id === id);
    return s ? s.names.de : id;
  }

  // In the place of the called ticket: the counter stays free on purpose, and the clerk may still call.
  function renderHold(box, hold) {
    box.classList.add("held");
    const notice = el("div", "hold-notice");
    notice.setAttribute("role", "status");
    notice.append(el("p", "hold-reason", HOLD_TEXT.reason(clockTime(hold.appointment_at), hold.service)),
      el("p", "hold-absent", HOLD_TEXT.absent));
    const anyway = el("button", "call-anyway", HOLD_TEXT.callAnyway);
    anyway.id = "call-anyway";
    anyway.type = "button";
    anyway.onclick = () => callNext(false);
    box.append(notice, anyway);
  }

  // No event marks the end of a hold (the slot passing), so look again then.
  function refreshWhenHoldEnds(hold) {
    clearTimeout(holdTimer);
    holdTimer = null;
    if (!hold || !view.now) return;
    const leftMs = Date.parse(hold.until) - Date.parse(view.now);
    holdTimer = setTimeout(() => scheduleRefresh(0), Math.min(Math.max(leftMs, 0) + 1000, 600000));
  }

  function renderCurrent(ticket, hold) {
    const box = $("current");
    box.replaceChildren();
    box.classList.toggle("empty", !ticket);
    box.classList.remove("held");
    if (!ticket && hold) { renderHold(box, hold); return; }
    if (!ticket) { box.textContent = "Kein Vorgang – „Nächster“ ruft den nächsten Besuch auf."; return; }
    box.append(el("div", "number", ticket.number));
    const meta = el("div", "meta");
    meta.append(el("span", "badge", TEXT[ticket.state] || ticket.state), el("span", "badge", TEXT[ticket.kind]));
    if (ticket.priority !== "normal") meta.append(el("span", "badge", TEXT[ticket.priority]));
    meta.append(document.createTextNode(serviceName(ticket.service_id)));
    box.append(meta);
  }

  function renderButtons(ticket, state) {
    const allowed = {
      recall: ["called"], start: ["called"], finish: ["serving"], no_show: ["called"], park: ["called", "serving"],
    };
    document.querySelectorAll("[data-action]").forEach((b) => {
      b.disabled = !ticket || !allowed[b.dataset.action].includes(ticket.state);
    });
    $("transfer-open").disabled = !ticket;
    $("next").disabled = state !== "open";
    document.querySelectorAll("[data-state]").forEach((b) => b.classList.toggle("active", b.dataset.state === state));
  }

  function renderQueue() {
    const body = $("queue").tBodies[0];
    body.replaceChildren();
    view.waiting.forEach((t) => {
      const row = el("tr", view.next && view.next.id === t.id ? "proposed" : "");
      const kind = t.kind === "appointment" && t.appointment_at ? "Termin " + clockTime(t.appointment_at) : TEXT[t.kind];
      row.append(el("td", "num", t.number), el("td", "", serviceName(t.service_id)), el("td", "", kind), el("td", "", t.waited_min + " min"));
      body.append(row);
    });
    $("queue-count").textContent = "(" + view.waiting.length + ")";
    const parked = $("parked");
    parked.replaceChildren();
    view.parked.forEach((t) => {
      const item = el("li");
      const back = el("button", "", "Zurückholen");
      back.onclick = () => act(t.id, "return");
      item.append(el("span", "num", t.number + " – " + serviceName(t.service_id)), back);
      parked.append(item);
    });
    if (!view.parked.length) parked.append(el("li", "", "—"));
  }

  function fillTransfer() {
    const services = $("transfer-service");
    if (services.options.length) return;
    view.services.forEach((s) => services.append(new Option(s.names.de, s.id)));
    view.counters.forEach((c) => $("transfer-counter").append(new Option(c.label, c.id)));
  }

  const PRINTER_TEXT = { paper_low: "Papier bald leer", paper_out: "Papier leer – bitte nachfüllen",
    cover_open: "Deckel offen", offline: "nicht erreichbar", unknown: "Status unbekannt" };

  function renderPrinters() {
    const problems = (view.printers || []).filter((p) => p.status !== "ok");
    const box = $("printer-warning");
    box.hidden = !problems.length;
    box.textContent = problems.map((p) => "⚠ " + p.name + ": " + (PRINTER_TEXT[p.status] || p.status)
      + (p.pending_jobs ? " (" + p.pending_jobs + " Tickets warten)" : "")).join("   ");
  }

  function render() {
    const counter = view.counter;
    renderPrinters();
    $("title").textContent = counter.label + " – " + TEXT[counter.state];
    document.title = counter.label + " – townhall-queue";
    const hold = counter.state === "open" && !counter.current ? view.held_for : null;
    renderCurrent(counter.current, hold);
    refreshWhenHoldEnds(hold);
    renderButtons(counter.current, counter.state);
    renderQueue();
    fillTransfer();
  }

  // In the office's time zone, not the PC's (the queue view names it before the appointment list does).
  function clockTime(iso) {
    const zone = (appointments && appointments.officeTimeZone()) || (view && view.timezone);
    const options = { hour: "2-digit", minute: "2-digit", timeZone: zone || undefined };
    return new Date(iso).toLocaleTimeString("de-DE", options);
  }

  async function refresh() {
    view = await api("GET", "/api/v1/counters/" + me.counter_id + "/queue");
    render();
    appointments.setView(view);
    checkin.setView(view);
  }

  const scheduleRefresh = window.townhallClerk.coalesced(() => refresh().catch((e) => say(e.message)), 300);

  async function run(work) {
    try { say(""); await work(); await refresh(); } catch (e) { say(e.message); }
  }

  function act(ticketId, action, body) {
    return run(() => api("POST", "/api/v1/tickets/" + ticketId + "/" + action, body));
  }

  // A hold answer needs no message: the refreshed view shows it where the ticket would be.
  function callNext(mayHold) {
    return run(async () => {
      const query = mayHold ? "" : "?hold=false";
      const result = await api("POST", "/api/v1/counters/" + me.counter_id + "/next" + query);
      if (!result) say("Niemand wartet auf diesen Schalter.", "info");
    });
  }

  $("next").onclick = () => callNext(true);
  document.querySelectorAll("[data-state]").forEach((b) => {
    b.onclick = () => run(() => api("POST", "/api/v1/counters/" + me.counter_id + "/state", { state: b.dataset.state }));
  });
  document.querySelectorAll("[data-action]").forEach((b) => {
    b.onclick = () => view.counter.current && act(view.counter.current.id, b.dataset.action);
  });
  $("transfer-open").onclick = () => { $("transfer").hidden = false; };
  $("transfer-cancel").onclick = () => { $("transfer").hidden = true; };
  $("transfer").onsubmit = (e) => {
    e.preventDefault();
    $("transfer").hidden = true;
    const body = { service_id: $("transfer-service").value };
    if ($("transfer-counter").value) body.counter_id = $("transfer-counter").value;
    act(view.counter.current.id, "transfer", body);
  };

  function connect() {
    window.townhallLive.follow({
      token,
      onOpen: () => {
        $("conn").textContent = "verbunden";
        $("conn").classList.remove("down");
        appointments.refreshSoon(0);
      },
      onEvent: (event) => {
        scheduleRefresh(100);
        appointments.onEvent(event);
      },
      onClose: () => {
        $("conn").textContent = "keine Verbindung";
        $("conn").classList.add("down");
        appointments.offline();
      },
    });
  }

  api("GET", "/api/v1/devices/me").then((device) => {
    me = device;
    if (!me.counter_id) { say("Dieses Gerät ist keinem Schalter zugeordnet."); return; }
    checkin = window.townhallClerk.createCheckin({
      api, counterId: me.counter_id, onChange: () => { scheduleRefresh(0); appointments.refreshSoon(0); },
    });
    appointments = window.townhallClerk.createAppointments({
      api, counterId: me.counter_id, onCheckIn: checkin.checkInRow,
    });
    refresh().then(connect);
  }).catch((e) => say("Anmeldung fehlgeschlagen: " + e.message));
})();
