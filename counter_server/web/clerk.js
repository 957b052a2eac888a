// Clerk workstation: one counter, one token. Every click carries its own Idempotency-Key.
(function () {
  "use strict";
  const shift = window.townhallClerk.shift; // from clerk-shift.js: a clerk's own login, if any
  const token = shift.token();
  const $ = (id) => document.getElementById(id);
  const { el, errorText, reasonText } = window.townhallClerk; // from the scripts loaded first
  const { CONNECTION } = window.townhallClerk.TEXTS;
  let me = null;
  let view = null;
  let appointments = null;
  let checkin = null;
  let nextFlow = null;
  let online = false; // the event stream is up: only then may the clerk act
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
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (failure) {
      // the browser's own words ("Failed to fetch") mean nothing to a clerk
      const error = new Error("offline");
      error.code = "offline";
      error.details = {};
      throw error;
    }
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
    anyway.onclick = () => nextFlow.callAnyway();
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

  // Offline, every button that would ask the server is disabled: a click could not reach it.
  function renderButtons(ticket, state) {
    const allowed = {
      recall: ["called"], start: ["called"], finish: ["serving"], no_show: ["called"], park: ["called", "serving"],
    };
    document.querySelectorAll("[data-action]").forEach((b) => {
      b.disabled = !online || !ticket || !allowed[b.dataset.action].includes(ticket.state);
    });
    $("transfer-open").disabled = !online || !ticket;
    $("next").disabled = !online || state !== "open";
    document.querySelectorAll("[data-state]").forEach((b) => {
      b.classList.toggle("active", b.dataset.state === state);
      b.disabled = !online;
    });
    document.querySelectorAll("#transfer button[type=submit], #parked button, #call-anyway, #checkin-submit, #checkin-call")
      .forEach((b) => { b.disabled = !online; });
    if (nextFlow) nextFlow.setEnabled(online);
  }

  function showConnection() {
    const conn = $("conn");
    conn.textContent = online ? CONNECTION.online : CONNECTION.reconnecting;
    conn.classList.toggle("down", !online);
    conn.classList.remove("connecting");
    $("offline").textContent = CONNECTION.banner;
    $("offline").hidden = online;
    if (view) render(); // the banner takes room: the queue box keeps the proposed visitor in view
  }

  function renderQueue() {
    const body = $("queue").tBodies[0];
    body.replaceChildren();
    view.waiting.forEach((t) => {
      const proposed = view.next && view.next.id === t.id;
      const row = el("tr", proposed ? "proposed" : "");
      const kind = t.kind === "appointment" && t.appointment_at ? "Termin " + clockTime(t.appointment_at) : TEXT[t.kind];
      const number = el("td", "num", t.number);
      // why Next would call this one: the policy's reason, in a few words
      if (proposed && view.next_reason) number.append(el("span", "why", "Als Nächstes: " + reasonText(view.next_reason, clockTime)));
      row.append(number, el("td", "", serviceName(t.service_id)), el("td", "", kind), el("td", "", t.waited_min + " min"));
      body.append(row);
    });
    $("queue-count").textContent = "(" + view.waiting.length + ")";
    keepInView(body.querySelector("tr.proposed"), $("queue-scroll"));
    const parked = $("parked");
    parked.replaceChildren();
    view.parked.forEach((t) => {
      const item = el("li");
      const back = el("button", "", "Zurückholen");
      back.onclick = () => act(t.id, "return");
      back.disabled = !online;
      item.append(el("span", "num", t.number + " – " + serviceName(t.service_id)), back);
      parked.append(item);
    });
    if (!view.parked.length) parked.append(el("li", "", "—"));
  }

  // A long queue scrolls in its panel: scroll it just enough that the proposed visitor shows.
  function keepInView(row, box) {
    if (!row || box.scrollHeight <= box.clientHeight) return;
    const inner = row.getBoundingClientRect();
    const outer = box.getBoundingClientRect();
    const head = $("queue").tHead.offsetHeight;
    if (inner.bottom > outer.bottom) box.scrollTop += inner.bottom - outer.bottom + 8;
    else if (inner.top < outer.top + head) box.scrollTop -= outer.top + head - inner.top;
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
    nextFlow.setView(view);
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

  // Offline, the banner says it all; a failed look is retried on reconnect.
  const scheduleRefresh = window.townhallClerk.coalesced(() => refresh().catch((e) => online && say(errorText(e))), 300);

  // A refusal may mean the view is out of date: show the words, and look again.
  async function run(work) {
    try { say(""); await work(); await refresh(); } catch (e) { say(errorText(e)); scheduleRefresh(0); }
  }

  function act(ticketId, action, body) {
    return run(async () => {
      const answer = await api("POST", "/api/v1/tickets/" + ticketId + "/" + action, body);
      if (action === "finish" || action === "no_show") nextFlow.closed(answer.ticket, action === "finish" ? "done" : action);
    });
  }

  $("next").onclick = () => nextFlow.press();
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
        online = true;
        showConnection();
        say("");
        scheduleRefresh(0);
        appointments.refreshSoon(0);
      },
      onEvent: (event) => {
        scheduleRefresh(100);
        appointments.onEvent(event);
      },
      onClose: () => {
        online = false;
        say(""); // the banner says it for every click that failed on the way
        showConnection();
        appointments.offline();
      },
    });
  }

  if (!token) {
    $("conn").textContent = "nicht angemeldet";
    $("conn").classList.replace("connecting", "failed");
    shift.refused();
    return;
  }
  api("GET", "/api/v1/devices/me").then((device) => {
    me = device;
    shift.started(me);
    if (!me.counter_id) { say("Dieser Zugang gehört zu keinem Schalter. Bitte den Link für einen Schalter bei der IT anfordern."); return; }
    checkin = window.townhallClerk.createCheckin({
      api, counterId: me.counter_id, onChange: () => { scheduleRefresh(0); appointments.refreshSoon(0); },
    });
    appointments = window.townhallClerk.createAppointments({
      api, counterId: me.counter_id, onCheckIn: checkin.checkInRow,
    });
    nextFlow = window.townhallClerk.createNextFlow({ api, counterId: me.counter_id, run, say, view: () => view });
    refresh().then(connect, (e) => { say(errorText(e)); connect(); });
  }).catch((e) => {
    $("conn").textContent = "nicht angemeldet";
    $("conn").classList.replace("connecting", "failed");
    if (e.code === "unauthorized" && shift.refused()) return;
    say(e.code === "offline" ? errorText(e) : "Anmeldung nicht möglich. " + errorText(e));
  });
})();
