// Sizes the rendered board to the screen: the calls by townhallLayout.pick, then checked in
// the real page and shrunk until nothing overflows; the lists shrunk to a readable least size, then paged.
(function () {
  "use strict";

  const canvas = document.createElement("canvas").getContext("2d");
  const SLACK = 1.06;  // tabular figures, letter spacing, rounding: measure a little wide

  function family(node) { return getComputedStyle(node).fontFamily; }

  function emWidth(text, weight, fontFamily) {
    canvas.font = weight + " 100px " + fontFamily;
    return SLACK * canvas.measureText(text).width / 100;
  }

  // Widths at font size 1 of a call tile's parts: number, arrow and counter, room.
  function callEm(item, fontFamily) {
    const text = (cls) => { const n = item.querySelector("." + cls); return n ? n.textContent : ""; };
    return {
      number: emWidth(text("number"), 800, fontFamily),
      where: 0.6 * emWidth("➜", 400, fontFamily) + 0.25 + emWidth(text("counter"), 700, fontFamily),
      room: emWidth(text("room"), 400, fontFamily),
    };
  }

  function widest(ems) {
    return ems.reduce((a, b) => ({ number: Math.max(a.number, b.number), where: Math.max(a.where, b.where),
      room: Math.max(a.room, b.room) }), { number: 0, where: 0, room: 0 });
  }

  function boxOf(vh) {
    return { padX: 0.022 * vh, padY: 0.01 * vh, gap: 0.012 * vh, border: 0.012 * vh };
  }

  function setVars(node, vars) {
    Object.entries(vars).forEach(([name, value]) => node.style.setProperty("--" + name, value));
  }

  function overflows(list) {
    if (list.scrollHeight > list.clientHeight + 1) return true;
    return Array.from(list.children).some((li) => li.scrollWidth > li.clientWidth + 1);
  }

  function apply(list, plan, box) {
    const items = Array.from(list.children);
    items.forEach((li, i) => {
      const mode = i === 0 ? plan.newest.mode : plan.others.mode;
      li.classList.toggle("row", mode === "row");
      li.classList.toggle("stacked", mode === "stacked");
    });
    setVars(list, {
      "newest-font": plan.newest.font.toFixed(1) + "px",
      "tile-font": (plan.others ? plan.others.font : 0).toFixed(1) + "px",
      cols: String(plan.others ? plan.others.columns : 1),
      "pad-x": box.padX + "px", "pad-y": box.padY + "px", gap: box.gap + "px", border: box.border + "px",
    });
  }

  // Every call gets a tile: the plan first, then smaller until the page shows no overflow.
  function fitCalls(list) {
    const items = Array.from(list.children);
    if (!items.length) return null;
    const vh = window.innerHeight;
    const box = boxOf(vh);
    const fontFamily = family(list);
    const ems = items.map((li) => callEm(li, fontFamily));
    const plan = window.townhallLayout.pick({
      count: items.length, width: list.clientWidth, height: list.clientHeight, viewportHeight: vh,
      em: { newest: ems[0], others: widest(ems.slice(1)) },
      hasRoom: ems.some((em) => em.room > 0), box,
    });
    if (plan.others) plan.others.font = Math.max(plan.others.font, 8);
    apply(list, plan, box);
    for (let i = 0; i < 30 && overflows(list); i++) {
      if (plan.others && plan.others.font > 0.02 * vh) plan.others.font *= 0.94;
      else plan.newest.font *= 0.94;
      apply(list, plan, box);
    }
    return plan;
  }

  // The font size at which capital letters are 5 % of the screen's height: 54 px of 1080 lines,
  // 27 mm on a 43" TV, readable from 3 m (the issue's 45 mm at 5 m; ADA 703.5.5). The side
  // column's text never goes below it: what does not fit is paged (pager.js).
  function leastListFont(aside) {
    canvas.font = "400 100px " + family(aside);
    const cap = canvas.measureText("H").actualBoundingBoxAscent / 100;
    return 1.01 * 0.05 * window.innerHeight / cap;
  }

  function lineCount(node) {
    const tops = new Set(Array.from(node.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    return tops.size;
  }

  // An errand's name on at most `lines` lines: cut with "…" when longer (its full name the title).
  function clampName(cell, lines) {
    const full = cell.dataset.full || cell.textContent;
    cell.dataset.full = full;
    cell.textContent = full;
    cell.removeAttribute("title");
    if (lineCount(cell) <= lines) return;
    const cut = (n) => { cell.textContent = full.slice(0, n).trimEnd() + "…"; };
    let [low, high] = [0, full.length - 1];
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      cut(middle);
      if (lineCount(cell) <= lines) low = middle; else high = middle - 1;
    }
    cut(low);
    cell.title = full;
  }

  function listsFit(aside, lists) {
    if (aside.scrollHeight > aside.clientHeight + 1 || aside.scrollWidth > aside.clientWidth + 1) return false;
    return lists.every((list) => list.rows.every((row) => row.scrollWidth <= row.clientWidth + 1));
  }

  // The lists (recently called, who waits) as large as the side column allows but never below
  // the least readable size; at that size, a page at a time when they still do not fit.
  // lists: [{ section, rows, counter }] (counter: where "1/2" goes); answer: { font, pages }.
  function fitLists(aside, lists) {
    const least = leastListFont(aside);
    const setFont = (size) => {
      aside.style.setProperty("--list-font", size.toFixed(2) + "px");
      aside.querySelectorAll(".waiting td.name").forEach((cell) => clampName(cell, 2));
    };
    window.townhallPager.showAll(lists);
    let font = Math.max(0.075 * window.innerHeight, least);
    setFont(font);
    while (!listsFit(aside, lists) && font > least) {
      font = Math.max(least, font * 0.95);
      setFont(font);
    }
    const pages = listsFit(aside, lists) ? 1 : window.townhallPager.paginate(aside, lists);
    return { font, pages };
  }

  window.townhallFit = { fitCalls, fitLists };
})();
