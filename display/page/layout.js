// How the current calls fill their box: the newest call one big tile, the others a grid.
// Pure arithmetic over measured text widths (in em), so that every call fits: an office of
// 16 counters all calling shows 16 tiles, smaller and in columns, never fewer.
(function () {
  "use strict";

  // Heights in em of the font size: a number line, a counter line, the room line below it.
  const NUMBER_LINE = 1.0;
  const COUNTER_LINE = 1.1;
  const ROOM_SCALE = 0.6;  // the room's font size against the call's
  const ROOM_LINE = ROOM_SCALE * 1.2;
  const ARROW_GAP = 0.5;  // between the number and the counter on one line
  const MAX_COLUMNS = 4;

  // A tile at font size 1: its width and height in em, laid out in a `row` (number, and
  // beside it the counter above the room) or `stacked` (number and room, the counter below).
  function tileEm(mode, em, hasRoom) {
    const room = hasRoom ? em.room * ROOM_SCALE : 0;
    if (mode === "row") {
      return { w: em.number + ARROW_GAP + Math.max(em.where, room),
        h: Math.max(NUMBER_LINE, COUNTER_LINE + (hasRoom ? ROOM_LINE : 0)) };
    }
    return { w: Math.max(em.number + (hasRoom ? ARROW_GAP + room : 0), em.where), h: NUMBER_LINE + COUNTER_LINE };
  }

  // The largest font size at which a tile fits into a w x h px box (padding included).
  function fontFor(mode, em, hasRoom, w, h, box) {
    const size = tileEm(mode, em, hasRoom);
    return Math.min((w - 2 * box.padX - box.border) / size.w, (h - 2 * box.padY) / size.h);
  }

  // The newest call's tile: beside if it fits at `font`, else stacked; the font it gets.
  function newestTile(input, font) {
    const { width, em, hasRoom, box } = input;
    for (const mode of ["row", "stacked"]) {
      const fits = fontFor(mode, em.newest, hasRoom, width, Infinity, box);
      if (fits >= font || mode === "stacked") {
        const size = Math.min(font, fits);
        return { mode, font: size, height: size * tileEm(mode, em.newest, hasRoom).h + 2 * box.padY };
      }
    }
    return null;  // unreachable: stacked always answers
  }

  // The other calls in a grid of `columns`: the font their tiles get in `height` px.
  function othersIn(input, count, height, columns, mode) {
    const { width, em, hasRoom, box } = input;
    const rows = Math.ceil(count / columns);
    const tileW = (width - (columns - 1) * box.gap) / columns;
    const tileH = (height - (rows - 1) * box.gap) / rows;
    return { columns, mode, font: fontFor(mode, em.others, hasRoom, tileW, tileH, box) };
  }

  function bestOthers(input, count, height) {
    let best = null;
    for (let columns = 1; columns <= Math.min(MAX_COLUMNS, count); columns++) {
      for (const mode of ["row", "stacked"]) {
        const found = othersIn(input, count, height, columns, mode);
        if (!best || found.font > best.font) best = found;
      }
    }
    return best;
  }

  // input: { count, width, height (the box of the calls, px), viewportHeight,
  //   em: { newest: {number, where, room}, others: {number, where, room} } (text widths at 1 px),
  //   hasRoom, box: { padX, padY, gap, border } (px) }
  // answer: { newest: {mode, font}, others: {columns, mode, font} | null }
  function pick(input) {
    const vh = input.viewportHeight;
    const ideal = 0.13 * vh;  // 140 px on a 1080-line screen: 102 px of cap height
    const legible = 0.118 * vh;  // 127 px: 93 px of cap height, 46 mm on a 43" TV
    const floor = 0.06 * vh;
    const othersWanted = 0.03 * vh;  // the newest shrinks to `legible` before the others go below this
    const othersMin = 0.02 * vh;  // and below `legible` only when the others would go below this
    const others = input.count - 1;
    let font = ideal;
    for (;;) {
      const newest = newestTile(input, font);
      if (others <= 0) return { newest, others: null };
      const rest = input.height - newest.height - input.box.gap;
      const found = bestOthers(input, others, rest);
      // the newest stands out: the others never come near its size
      found.font = Math.min(found.font, 0.55 * newest.font);
      const enough = found.font >= (font > legible ? othersWanted : othersMin);
      if (enough || font <= floor) return { newest, others: found };
      font = font > legible ? Math.max(legible, font * 0.95) : Math.max(floor, font * 0.95);
    }
  }

  window.townhallLayout = { pick, tileEm };
})();
