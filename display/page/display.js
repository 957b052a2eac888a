// Waiting-room board: renders /api/v1/board and follows the event stream.
// Keeps the last board when the server is away and says so; resumes with since=.
(function () {
  "use strict";
  const params = new URLSearchParams(location.search);
  const token = params.get("token") || "";
  const lang = params.get("lang") || "de";
  // A German board keeps its English second line; ?also=xx picks another one, ?also= none.
  const also = params.has("also") ? params.get("also") : (lang === "de" ? "en" : "");
  const TEXT_NAMESPACES = ["display"];
  let words = null;  // the display language's texts (window.townhallTexts), once loaded
  let alsoWords = null;
  const $ = (id) => document.getElementById(id);
  let refreshTimer = null;
  let clockOffsetMs = 0;
  let timeZone = "Europe/Berlin";
  const announced = new Map();

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showOffline(offline) {
    $("offline").hidden = !offline;
    document.body.classList.toggle("is-offline", offline);
  }

  async function loadTexts() {
    if (words) return;
    const [main, second] = await Promise.all([
      townhallTexts.load(lang, TEXT_NAMESPACES),
      also && also !== lang ? townhallTexts.load(also, TEXT_NAMESPACES) : null,
    ]);
    words = main;
    alsoWords = second;
    words.apply(document);
    document.querySelectorAll("[data-also]").forEach((node) => {
      node.hidden = !second;
      if (!second) return;
      node.textContent = second.t(node.dataset.also);
      node.lang = second.lang;
      node.dir = second.dir;
    });
  }

  function refresh() {
    return loadTexts().then(fetchBoard).then(render);
  }

  async function fetchBoard() {
    const response = await fetch("/api/v1/board", { headers: { Authorization: "Bearer " + token }, cache: "no-store" });
    if (!response.ok) throw new Error("board " + response.status);
    return response.json();
  }

  function serviceName(names) { return names[lang] || names.de || Object.values(names)[0]; }

  // Every call not finished, the newest first and biggest (the server's `current`).
  function renderCurrent(calls) {
    const list = $("current");
    list.replaceChildren();
    calls.forEach((call, index) => {
      const item = el("li", index === 0 ? "newest" : "");
      item.dataset.number = call.number;
      item.append(el("span", "number", call.number));
      const where = el("div", "where");
      const place = words.place(call.counter);
      where.append(el("span", "arrow", "➜"), el("span", "counter", place.label));
      item.append(where);
      if (place.room) item.append(el("div", "room", place.room));
      if (announced.get(call.number) === call.call_count && isFresh(call)) item.classList.add("fresh");
      list.append(item);
    });
  }

  function isFresh(call) {
    return call.called_at && Date.now() + clockOffsetMs - Date.parse(call.called_at) < 8000;
  }

  // Only visits really served (the server's `recent`): no-shows and parked tickets are not.
  function renderRecent(calls) {
    const list = $("recent");
    list.replaceChildren();
    calls.slice(0, 8).forEach((call) => {
      const item = el("li");
      item.append(el("span", "number", call.number), el("span", "counter", words.place(call.counter).label));
      list.append(item);
    });
  }

  function renderWaiting(waiting) {
    const body = $("waiting").tBodies[0];
    body.replaceChildren();
    waiting.filter((w) => w.waiting > 0).forEach((w) => {
      const row = el("tr");
      const prefix = el("td", "letter");
      prefix.append(el("span", "prefix", w.prefix));
      row.append(prefix);
      const name = el("td", "name", serviceName(w.names));
      // no open counter does this errand: an estimate would say "0 min" and mean nothing
      const off = w.served_now === false;
      const eta = off ? words.t("display.not_served_now")
        : w.eta_min === null ? "" : words.plural("display.eta_minutes", w.eta_min);
      row.append(name, el("td", "count", String(w.waiting)), el("td", off ? "eta off" : "eta", eta));
      body.append(row);
    });
    if (!body.children.length) {
      const row = el("tr");
      const nobody = [words, alsoWords].filter(Boolean).map((w) => w.t("display.nobody_waiting"));
      row.append(el("td", "", nobody.join(" – ")));
      body.append(row);
    }
  }

  // the office's own line (office.toml [texts] display_notice) in the display's language,
  // German standing in, and in the second language when it has its own text
  function renderNotice(notice) {
    const node = $("notice");
    const texts = notice || {};
    const main = texts[lang] || texts.de || "";
    node.replaceChildren();
    if (main) node.append(el("span", "", main));
    const second = also && also !== lang ? texts[also] : "";
    if (main && second && second !== main) {
      const extra = el("span", "also", second);
      extra.lang = also;
      node.append(" ", extra);
    }
    node.hidden = !main;
  }

  function render(board) {
    if (!words) { scheduleRefresh(); return; }  // a snapshot came before the texts
    $("office").textContent = board.office.name;
    renderNotice(board.notice);
    document.title = words.t("display.title", { office: board.office.name });
    clockOffsetMs = Date.parse(board.now) - Date.now();
    tickClock();  // the office clock, not the TV's, from the first board on
    renderCurrent(board.current || board.calls.filter((c) => c.state === "called" || c.state === "serving"));
    renderRecent(board.recent || board.calls.filter((c) => c.state === "done"));
    renderWaiting(board.waiting);
    renderStatus(board);
    fit();
  }

  // The side column's lists: each a section, its rows and where its page number ("1/2") goes.
  function sideLists() {
    return [
      { section: $("recent").closest("section"), rows: Array.from($("recent").children), counter: $("recent-page") },
      { section: $("waiting").closest("section"), rows: Array.from($("waiting").tBodies[0].rows),
        counter: $("waiting-page") },
    ];
  }

  function fit() {
    window.townhallFit.fitCalls($("current"));
    window.townhallFit.fitLists(document.querySelector("aside"), sideLists());
  }

  // Lists longer than the side column turn a page every 8 s (?page_seconds= from 0.5 to 120).
  function pageSeconds() {
    const seconds = Number(params.get("page_seconds"));
    return params.has("page_seconds") && seconds >= 0.5 && seconds <= 120 ? seconds : 8;
  }

  function renderStatus(board) {
    // For staff passing by: a printer problem means visitors get no paper ticket.
    const problems = (board.printers || []).filter((p) => p.status !== "ok");
    const status = $("status");
    status.replaceChildren(document.createTextNode(words.plural("display.counters_open", board.counters_open)));
    problems.forEach((p) => {
      const key = "display.printer_" + p.status;
      const problem = words.has(key) ? words.t(key) : p.status;
      status.append(el("span", "printer-warning", " ⚠ " + p.name + ": " + problem));
    });
  }

  function tickClock() {
    const now = new Date(Date.now() + clockOffsetMs);
    // 24-hour time in Latin digits, like the ticket numbers, in every language
    $("clock").textContent = now.toLocaleTimeString(lang + "-u-nu-latn",
      { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: timeZone });
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refresh().catch(() => {}), 120);
  }

  // The server builds the sentence (one text for every language and both voices). A browser
  // voice for the display's language speaks it; without one (most TV browsers) the server's
  // espeak-ng WAV plays. ?speech=server|browser|auto|off, default auto. A visitor who chose
  // another language at the kiosk hears the call once more in theirs (?visitor_speech=off
  // speaks the display's language only).
  const SPEECH_MODES = ["server", "browser", "auto", "off"];
  const speechMode = SPEECH_MODES.includes(params.get("speech")) ? params.get("speech") : "auto";
  const visitorSpeech = params.get("visitor_speech") !== "off";
  const CHIME_MS = 1400;
  let speechQueue = Promise.resolve();

  function browserVoice(language) {
    if (!window.speechSynthesis) return null;
    return window.speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().split(/[-_]/)[0] === language) || null;
  }

  function spokenLanguages(ticket) {
    const visitor = ticket.lang;
    return visitorSpeech && visitor && visitor !== lang ? [lang, visitor] : [lang];
  }

  const { chime, waitUntil, playClip } = window.townhallSound;

  function announcementUrl(ticketId, suffix, language) {
    return "/api/v1/announcements/" + encodeURIComponent(ticketId) + suffix + "?lang=" + encodeURIComponent(language);
  }

  async function speakInBrowser(ticketId, languages, notBefore) {
    if (!window.speechSynthesis) return;
    const utterances = [];
    for (const language of languages) {
      const url = announcementUrl(ticketId, "", language);
      const response = await fetch(url, { headers: { Authorization: "Bearer " + token } });
      if (!response.ok) continue;
      const utterance = new SpeechSynthesisUtterance((await response.json()).text);
      utterance.lang = language;
      const voice = browserVoice(language);
      if (voice) utterance.voice = voice;
      utterance.rate = 0.9;
      utterances.push(utterance);
    }
    await waitUntil(notBefore);
    // the browser speaks queued utterances one after the other
    utterances.forEach((utterance) => window.speechSynthesis.speak(utterance));
  }

  function playFromServer(ticketId, language, notBefore) {
    const src = announcementUrl(ticketId, ".wav", language) + "&token=" + encodeURIComponent(token);
    // One clip after the other: two counters calling at once are both heard in full.
    speechQueue = speechQueue.then(() => playClip($("announcement"), src, notBefore, CHIME_MS + 20000));
  }

  function speak(ticket, counter) {
    if (speechMode === "off" || !counter) return;
    const notBefore = Date.now() + CHIME_MS;
    const languages = spokenLanguages(ticket);
    // one way for the whole call, so the two languages never talk over each other
    if (speechMode === "browser" || (speechMode === "auto" && languages.every((l) => browserVoice(l)))) {
      speakInBrowser(ticket.id, languages, notBefore).catch(() => {});
    } else {
      languages.forEach((language) => playFromServer(ticket.id, language, notBefore));
    }
  }

  function announce(event) {
    const ticket = event.data.ticket;
    announced.set(ticket.number, ticket.call_count);
    chime();
    speak(ticket, event.data.counter);
  }

  function onEvent(event) {
    if (event.type === "snapshot") {
      render(event.data.board);
      return;
    }
    if (event.type === "board") {
      render(event.data);  // the server's board after a burst of events: no need to fetch it
      return;
    }
    if ((event.type === "ticket.called" || event.type === "ticket.recalled") && isFreshEvent(event)) announce(event);
    // office.toml changed in the console: counters' names and texts are read again
    if (event.type === "office.changed" && isFreshEvent(event)) setTimeout(() => location.reload(), 500);
  }

  function isFreshEvent(event) {
    // Events replayed after a reconnect are shown, but not announced again when old.
    return Date.now() + clockOffsetMs - Date.parse(event.at) < 60000;
  }

  function connect() {
    return window.townhallLive.follow({
      token, onEvent, board: true, onOpen: () => showOffline(false), onClose: () => showOffline(true),
    });
  }

  let live = null;
  window.townhallDisplay = { lastSeq: () => live && live.lastSeq(), connected: () => live !== null && live.connected(),
    speechMode: () => speechMode, spokenLanguages, page: () => window.townhallPager.page(),
    nextPage: () => window.townhallPager.next() };
  // Chromium loads its voice list lazily; asking early means it is there at the first call.
  if (window.speechSynthesis) window.speechSynthesis.getVoices();
  refresh().catch(() => showOffline(true));
  live = connect();
  tickClock();
  window.addEventListener("resize", () => { if (words) fit(); });
  setInterval(tickClock, 1000);
  setInterval(() => window.townhallPager.next(), pageSeconds() * 1000);
  setInterval(scheduleRefresh, 30000);
})();
