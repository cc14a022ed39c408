// The library pane: fetches a chapter's or appendix's <article> fragment,
// puts it in the page, and names the page. Fragments are kept once fetched,
// so returning to a chapter is instant.
//
// A chapter is 80-230 KB of HTML, most of it typeset math. Laid out in one
// go, a fresh page spends 50-120 ms in one task on it (most of it looking up
// fonts), and the reader cannot scroll or click meanwhile. So the heading and
// the opening lines go in alone, and the rest follows in slices of blocks,
// one slice after each painted frame.

const FIRST_SCREEN_ELEMENTS = 120; // the chapter's heading and its opening lines
const SLICE_ELEMENTS = 400;        // a few paragraphs; those below the fold skip layout
const HIDDEN_PAGE_WAIT_MS = 50;    // a hidden page paints no frames; do not wait for one

export class Library {
  /** @param {HTMLElement} pane  the <main> element; @param {object} book  book.json */
  constructor(pane, book) {
    this.pane = pane;
    this.book = book;
    this.cache = new Map();
    this.entries = new Map();
    this.gen = 0; // bumps on every show: slices of an older page stop
    for (const part of book.parts || []) {
      for (const ch of part.chapters) this.entries.set(ch.id, { ...ch, kind: "chapter", part });
    }
    for (const ap of book.appendices || []) this.entries.set(ap.id, { ...ap, kind: "appendix" });
  }

  /** The book.json entry of page `id`, or undefined. */
  entry(id) {
    return this.entries.get(id);
  }

  /** The page title shown in the tab for entry `e`. */
  pageTitle(e) {
    const prefix = e.kind === "chapter" ? `${e.n} ` : e.kind === "appendix" ? `Appendix ${e.letter}: ` : "";
    return `${prefix}${e.title} · ${this.book.title}`;
  }

  async _fetch(e) {
    if (this.cache.has(e.id)) return this.cache.get(e.id);
    const res = await fetch(e.href);
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    const html = await res.text();
    this.cache.set(e.id, html);
    return html;
  }

  /**
   * Show page `id`; resolves with its <article> once the whole page is in, or
   * null when it could not be shown (the pane then says why and links to the
   * first page) or another page replaced it first. `onFirstScreen(article)`
   * is called as soon as the opening blocks are in the document.
   */
  async show(id, onFirstScreen = () => {}) {
    const gen = ++this.gen;
    const e = this.entry(id);
    if (!e) {
      this._message(`There is no page called “${id}” in this book.`);
      return null;
    }
    this.pane.setAttribute("aria-busy", "true");
    let html;
    try {
      html = await this._fetch(e);
    } catch (err) {
      if (gen !== this.gen) return null;
      this.pane.removeAttribute("aria-busy");
      this._message(`“${e.title}” could not be loaded (${err.message}). If you are offline, open a page you have read before.`);
      return null;
    }
    if (gen !== this.gen) return null;
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    const article = tpl.content.querySelector("article");
    const slices = article ? slice(article) : [];
    // Parsing took this task; the page gets its first screen in the next one.
    await nextTask();
    if (gen !== this.gen) return null;
    this.pane.replaceChildren(article || tpl.content);
    document.title = this.pageTitle(e);
    onFirstScreen(article);
    for (const blocks of slices) {
      await afterPaint();
      if (gen !== this.gen) return null;
      article.append(...blocks);
    }
    this.pane.removeAttribute("aria-busy");
    return article;
  }

  /** A short notice above the page on screen (a link that could not be honoured exactly). */
  note(text) {
    const p = document.createElement("p");
    p.className = "notice";
    p.setAttribute("role", "status");
    p.textContent = text;
    this.pane.prepend(p);
  }

  _message(text) {
    const p = document.createElement("p");
    p.className = "notice";
    p.textContent = text;
    const first = this.book.order?.[0];
    if (first) {
      const a = document.createElement("a");
      a.href = `#/${first}`;
      a.textContent = "Go to the first chapter";
      p.append(" ", a, ".");
    }
    this.pane.replaceChildren(p);
    document.title = this.book.title;
  }
}

// Detach the blocks of `article` beyond its first screen; returns them in
// slices, each an array of top-level blocks. Cost is counted in elements,
// which is what style and layout pay for (a paragraph of math is hundreds).
function slice(article) {
  const blocks = [...article.children];
  if (!blocks.length) return [];
  const cost = (b) => 1 + b.getElementsByTagName("*").length;
  let i = 1; // the first block (the heading) always stays
  for (let used = cost(blocks[0]); i < blocks.length && (used += cost(blocks[i])) <= FIRST_SCREEN_ELEMENTS; i++);
  const slices = [];
  let current = [];
  let used = 0;
  for (const b of blocks.slice(i)) {
    const c = cost(b);
    if (current.length && used + c > SLICE_ELEMENTS) {
      slices.push(current);
      current = [];
      used = 0;
    }
    current.push(b);
    used += c;
    b.remove();
  }
  if (current.length) slices.push(current);
  return slices;
}

function nextTask() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

// Resolves after the next frame is painted (or soon, when the page is hidden
// and paints none).
function afterPaint() {
  return new Promise((resolve) => {
    let done = false;
    const go = () => { if (!done) { done = true; resolve(); } };
    requestAnimationFrame(() => setTimeout(go, 0));
    if (document.hidden) setTimeout(go, HIDDEN_PAGE_WAIT_MS);
  });
}
