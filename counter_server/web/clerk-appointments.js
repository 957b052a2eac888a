// The clerk's list of today's booked visitors for the services this counter can serve.
// Loaded before clerk.js, which owns the token, the websocket and the queue.
(function () {
  "use strict";
  const UPCOMING = 3;
  const SLOW_REFRESH_MS = 60000;
  // After the clerk scrolls the list by hand, leave it where they put it for this long.
  const HANDS_OFF_MS = 120000;
  // Labels per visit state; "expected" and "late" are booked visitors not yet checked in.
  const VISIT_TEXT = {
    expected: "erwartet", late: "verspätet", checked_in: "eingecheckt", called: "aufgerufen",
    serving: "in Bearbeitung", parked: "geparkt", done: "erledigt", no_show: "nicht erschienen",
    cancelled: "storniert", ticket_cancelled: "abgebrochen", expired: "abgelaufen",
  };
  const PAST = new Set(["done", "no_show", "cancelled", "ticket_cancelled", "expired"]);
  // Booked visitors not checked in yet: a clerk may check them in from their row.
  const AWAITED = new Set(["expected", "late"]);
  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Runs `work` at most once at a time; requests while one is pending or running fold
  // into one more run, at least `gapMs` later, so a burst of events costs two fetches.
  function coalesced(work, gapMs) {
    let timer = null;
    let running = false;
    let again = false;
    function fire() {
      timer = null;
      running = true;
      again = false;
      Promise.resolve().then(work).finally(() => {
        running = false;
        if (again) schedule(gapMs);
      });
    }
    function schedule(delayMs) {
      if (running) { again = true; return; }
      if (timer === null) timer = setTimeout(fire, delayMs);
    }
    return (delayMs) => schedule(delayMs === undefined ? 150 : delayMs);
  }

  function visitState(appointment, nowMs) {
    if (appointment.status === "cancelled" || appointment.status === "no_show") return appointment.status;
    if (appointment.status === "booked") return Date.parse(appointment.start) < nowMs ? "late" : "expected";
    const ticket = appointment.ticket;
    if (!ticket || ticket.state === "waiting") return "checked_in";
    return ticket.state === "cancelled" ? "ticket_cancelled" : ticket.state;
  }

  function displayCode(code) {
    return code.length === 8 ? code.slice(0, 4) + "-" + code.slice(4) : code;
  }

  function createAppointments({ api, counterId, onCheckIn }) {
    let answer = null;
    let view = null;
    let clockOffsetMs = 0;
    let autoScrollTop = null;
    let handsOffUntil = 0;

    const serverNow = () => Date.now() + clockOffsetMs;
    const canServe = (serviceId) => Boolean(view && view.counter.skills[serviceId]);

    function serviceName(id) {
      const s = view && view.services.find((x) => x.id === id);
      return s ? s.names.de : id;
    }

    function counterLabel(id) {
      if (id === counterId) return "hier";
      const c = view && view.counters.find((x) => x.id === id);
      return c ? c.label : id;
    }

    function mine() {
      return answer.appointments.filter((a) => canServe(a.service_id));
    }

    function matches(appointment, query) {
      if (!query) return true;
      const words = [appointment.code, displayCode(appointment.code), serviceName(appointment.service_id),
        appointment.ticket ? appointment.ticket.number : "", appointment.contact ? appointment.contact.name : ""];
      return words.some((w) => w && w.toLowerCase().includes(query));
    }

    function renderSummary(list) {
      const booked = list.filter((a) => a.status !== "cancelled");
      const count = (status) => booked.filter((a) => a.status === status).length;
      const box = $("appointments-summary");
      box.replaceChildren();
      box.hidden = !list.length;
      [["gebucht", booked.length, ""], ["angekommen", count("checked_in"), "arrived"],
        ["noch erwartet", count("booked"), "expected"], ["nicht erschienen", count("no_show"), "no-show"]]
        .forEach(([label, n, cls]) => {
          const chip = el("span", "chip " + cls);
          chip.append(el("strong", "", String(n)), document.createTextNode(" " + label));
          box.append(chip);
        });
    }

    function stateCell(appointment, state) {
      const cell = el("td", "state-cell");
      cell.append(el("span", "state state-" + state, VISIT_TEXT[state] || state));
      const ticket = appointment.ticket;
      if (ticket) cell.append(el("span", "ticket-no", ticket.number));
      if (ticket && ticket.counter_id && ["called", "serving", "done"].includes(state)) {
        cell.append(el("span", "where", counterLabel(ticket.counter_id)));
      }
      if (AWAITED.has(state)) {
        const button = el("button", "row-checkin", "Einchecken");
        button.type = "button";
        button.setAttribute("aria-label", "Einchecken " + displayCode(appointment.code));
        button.onclick = () => onCheckIn(appointment.code);
        cell.append(button);
      }
      return cell;
    }

    function row(appointment, state, upcoming, withNames) {
      const tr = el("tr", (upcoming ? "upcoming " : "") + (PAST.has(state) ? "past" : ""));
      tr.dataset.id = appointment.id;
      tr.dataset.state = state;
      tr.append(
        el("td", "time", appointment.start.slice(11, 16)),
        el("td", "code", displayCode(appointment.code)),
        el("td", "", serviceName(appointment.service_id)),
      );
      if (withNames) tr.append(el("td", "name-col", appointment.contact ? appointment.contact.name || "" : ""));
      tr.append(stateCell(appointment, state));
      return tr;
    }

    // Keeps the first visitor still to come (or being served) at the top of the list.
    function scrollToNow() {
      if (Date.now() < handsOffUntil) return;
      const first = $("appointments").tBodies[0].querySelector("tr:not(.past)");
      const box = $("appointments-scroll");
      box.scrollTop = first ? first.offsetTop - $("appointments").tHead.offsetHeight : 0;
      autoScrollTop = box.scrollTop;
    }

    function noticeHandScroll() {
      const box = $("appointments-scroll");
      if (autoScrollTop === null || Math.abs(box.scrollTop - autoScrollTop) > 2) handsOffUntil = Date.now() + HANDS_OFF_MS;
    }

    function render() {
      if (!answer || !view) return;
      const nowMs = serverNow();
      const list = mine();
      const query = $("appointments-filter").value.trim().toLowerCase();
      const hidePast = $("appointments-hide-past").checked;
      const withNames = list.some((a) => a.contact && a.contact.name);
      const upcoming = new Set(list.filter((a) => a.status === "booked").slice(0, UPCOMING).map((a) => a.id));
      const body = $("appointments").tBodies[0];
      body.replaceChildren();
      $("appointments").classList.toggle("with-names", withNames);
      list.forEach((a) => {
        const state = visitState(a, nowMs);
        if ((hidePast && PAST.has(state)) || !matches(a, query)) return;
        body.append(row(a, state, upcoming.has(a.id), withNames));
      });
      if (!body.rows.length) {
        const empty = el("td", "empty", list.length ? "Keine passenden Termine." : "Heute keine Termine für diesen Schalter.");
        empty.colSpan = 5;
        const tr = el("tr");
        tr.append(empty);
        body.append(tr);
      }
      renderSummary(list);
      scrollToNow();
    }

    function showStale(failed) {
      const mark = $("appointments-stale");
      mark.hidden = !failed;
      if (failed && answer) mark.textContent = "Stand " + answer.now.slice(11, 16) + " – nicht aktuell";
      else if (failed) mark.textContent = "Termine nicht geladen";
      $("appointments-scroll").classList.toggle("outdated", failed);
    }

    async function load() {
      try {
        answer = await api("GET", "/api/v1/appointments");
        clockOffsetMs = Date.parse(answer.now) - Date.now();
        $("appointments-day").textContent = answer.date.split("-").reverse().join(".");
        showStale(false);
        render();
      } catch (e) {
        showStale(true);
      }
    }

    const refreshSoon = coalesced(load, 1000);

    function isRelevant(event) {
      if (event.type === "snapshot") return true;
      if (event.type === "appointment.changed") {
        const booking = event.data && event.data.appointment;
        // no-show marking names no booking: it may concern this counter
        return !booking || canServe(booking.service_id);
      }
      const ticket = event.data && event.data.ticket;
      return Boolean(ticket && ticket.kind === "appointment" && canServe(ticket.service_id));
    }

    $("appointments-filter").addEventListener("input", render);
    $("appointments-filter").addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.target.value = ""; render(); }
    });
    $("appointments-hide-past").addEventListener("change", render);
    $("appointments-scroll").addEventListener("scroll", noticeHandScroll);
    window.addEventListener("resize", scrollToNow);
    // Events say when a booking changes; a slow look now and then covers a lost one.
    setInterval(() => refreshSoon(0), SLOW_REFRESH_MS);

    return {
      // The queue view brings the counter's skills, service names and counter labels.
      setView(next) { view = next; render(); },
      onEvent(event) { if (isRelevant(event)) refreshSoon(); },
      // Without the websocket nothing tells the list it changed: say so until it is back.
      offline() { showStale(true); },
      refreshSoon,
      officeTimeZone: () => (answer ? answer.timezone : undefined),
    };
  }

  window.townhallClerk = Object.assign(window.townhallClerk || {}, { coalesced, createAppointments, el });
})();
