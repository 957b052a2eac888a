// The catalogue's texts for a page, from GET /api/v1/texts/{lang} (the one catalogue in i18n/).
// Plural forms are chosen by CLDR category (Intl.PluralRules: the same CLDR data as Babel's).
window.townhallTexts = (function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  function make(data) {
    const rules = new Intl.PluralRules(data.lang);
    function entry(key) {
      const found = data.texts[key];
      if (found === undefined) throw new Error("no text " + key);
      return found;
    }
    return {
      lang: data.lang,
      dir: data.dir,
      has(key) { return key in data.texts; },
      t(key, values) { return fill(entry(key), values || {}); },
      plural(key, n, values) {
        const forms = entry(key);
        return fill(forms[rules.select(n)] || forms.other, Object.assign({ n: n }, values || {}));
      },
      // A counter as the visitor reads it: "الشباك 2" for the office's "Schalter 2".
      place(counter) {
        if (!counter) return { label: "", room: "" };
        const named = data.counters[counter.id] ||
          Object.values(data.counters).find((c) => c.office_label === counter.label);
        return named || { label: counter.label, room: counter.room };
      },
      // The page speaks this language: lang and dir on <html>, texts into every [data-t].
      apply(root) {
        document.documentElement.lang = data.lang;
        document.documentElement.dir = data.dir;
        root.querySelectorAll("[data-t]").forEach((node) => { node.textContent = this.t(node.dataset.t); });
      },
    };
  }

  async function load(lang, namespaces) {
    const query = namespaces.map((ns) => "ns=" + encodeURIComponent(ns)).join("&");
    const response = await fetch("/api/v1/texts/" + encodeURIComponent(lang) + "?" + query, { cache: "no-store" });
    if (!response.ok) throw new Error("texts " + response.status);
    return make(await response.json());
  }

  return { load: load, fill: fill };
})();
