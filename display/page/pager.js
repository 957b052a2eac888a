// The side column's lists a page at a time: when they do not fit at the least readable size,
// their rows are packed into screens (pages), shown one after the other; each list that is cut
// shows "1/2" beside its heading. The calls are never paged.
(function () {
  "use strict";

  let parts = [];  // [{ section, rows: Element[], counter: Element }]
  let screens = [[]];  // each: [{ part, from, to }] rows [from, to) of parts[part]
  let index = 0;

  function box(node) { return node.getBoundingClientRect(); }

  // A list's heading (with its page number) above the first row, each row, the gap between rows.
  function measure(part) {
    const top = box(part.section).top;
    const rows = part.rows.map(box);
    return {
      head: rows.length ? rows[0].top - top : box(part.section).height,
      rows: rows.map((r) => r.height),
      gap: rows.length > 1 ? rows[1].top - rows[0].bottom : 0,
    };
  }

  // Rows into screens of `height` px, the lists one after the other, `between` px between two lists.
  function pack(sizes, height, between) {
    const found = [[]];
    const used = [0];
    const place = (need, chunk) => {
      const lead = found[found.length - 1].length ? between : 0;
      if (used[used.length - 1] > 0 && used[used.length - 1] + lead + need > height) {
        found.push([]);
        used.push(0);
      }
      used[used.length - 1] += (found[found.length - 1].length ? between : 0) + need;
      found[found.length - 1].push(chunk);
    };
    sizes.forEach((size, part) => {
      let chunk = null;
      size.rows.forEach((rowHeight, i) => {
        if (chunk && used[used.length - 1] + size.gap + rowHeight <= height) {
          chunk.to = i + 1;
          used[used.length - 1] += size.gap + rowHeight;
          return;
        }
        chunk = { part, from: i, to: i + 1 };
        place(size.head + rowHeight, chunk);
      });
      if (!size.rows.length) place(size.head, { part, from: 0, to: 0 });
    });
    balanceLast(found, used, sizes);
    return found;
  }

  // A last page with a few rows of the list the page before ends with: rows move on to it
  // while that makes the fuller of the two pages less full.
  function balanceLast(found, used, sizes) {
    const n = found.length;
    if (n < 2 || found[n - 1].length !== 1) return;
    const last = found[n - 1][0];
    const before = found[n - 2][found[n - 2].length - 1];
    if (before.part !== last.part) return;
    const size = sizes[last.part];
    while (before.to - before.from > 1) {
      const moved = size.rows[before.to - 1] + size.gap;
      if (used[n - 1] + moved >= used[n - 2]) return;
      before.to -= 1;
      last.from -= 1;
      used[n - 2] -= moved;
      used[n - 1] += moved;
    }
  }

  function chunksOf(part) {
    return screens.flatMap((screen) => screen.filter((chunk) => chunk.part === part));
  }

  function show() {
    const screen = screens[index];
    parts.forEach((part, p) => {
      const chunk = screen.find((c) => c.part === p);
      part.section.hidden = !chunk;
      part.rows.forEach((row, i) => { row.hidden = !chunk || i < chunk.from || i >= chunk.to; });
      const all = chunksOf(p);
      part.counter.hidden = all.length < 2;
      part.counter.textContent = all.length < 2 ? "" : (all.indexOf(chunk) + 1) + "/" + all.length;
    });
  }

  // Everything on one screen: every list and row shown, no page numbers.
  function showAll(lists) {
    parts = lists;
    screens = [lists.map((part, p) => ({ part: p, from: 0, to: part.rows.length }))];
    index = 0;
    show();
  }

  // Pages for `lists` in `aside` at the size now set; keeps the page shown if it still exists.
  function paginate(aside, lists) {
    parts = lists;
    lists.forEach((part) => {
      part.section.hidden = false;
      part.rows.forEach((row) => { row.hidden = false; });
      part.counter.hidden = false;
      part.counter.textContent = "8/8";  // its room on the heading's line, measured with the rest
    });
    const style = getComputedStyle(aside);
    const height = aside.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    screens = pack(lists.map(measure), height, parseFloat(style.rowGap) || 0);
    index = index % screens.length;
    show();
    return screens.length;
  }

  function next() {
    index = (index + 1) % screens.length;
    show();
    return index;
  }

  window.townhallPager = { paginate, showAll, next, pack, page: () => ({ index, count: screens.length }) };
})();
