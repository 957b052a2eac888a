// Sizes the rendered board to the screen: the calls by townhallLayout.pick, then checked in
// the real page and shrunk until nothing overflows; the lists shrunk until they fit.
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

  // The lists (recently called, who waits) as large as the side column allows, recent calls
  // in two columns when that leaves them larger, never wrapping.
  function fitLists(aside, recent) {
    const vh = window.innerHeight;
    // the waiting table too: a long errand name must not run past the screen's edge
    const fits = () => aside.scrollHeight <= aside.clientHeight + 1 && aside.scrollWidth <= aside.clientWidth + 1 &&
      Array.from(aside.querySelectorAll("table")).every((t) => t.scrollWidth <= aside.clientWidth + 1) &&
      Array.from(recent.children).every((li) => li.scrollWidth <= li.clientWidth + 1);
    let best = null;
    for (const columns of [2, 1]) {
      recent.style.setProperty("--recent-cols", String(columns));
      let font = 0.075 * vh;  // 81 px at 1080 lines: 59 px of cap height, 29 mm on a 43" TV (3 m)
      aside.style.setProperty("--list-font", font + "px");
      while (!fits() && font > 0.015 * vh) {
        font *= 0.95;
        aside.style.setProperty("--list-font", font + "px");
      }
      if (!best || font > best.font) best = { columns, font };
    }
    recent.style.setProperty("--recent-cols", String(best.columns));
    aside.style.setProperty("--list-font", best.font + "px");
    return best;
  }

  window.townhallFit = { fitCalls, fitLists };
})();
