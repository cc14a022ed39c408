// The library pane: fetches a chapter's or appendix's <article> fragment,
// puts it in the page, and names the page. Fragments are kept once fetched,
// so returning to a chapter is instant.

export class Library {
  /** @param {HTMLElement} pane  the <main> element; @param {object} book  book.json */
  constructor(pane, book) {
    this.pane = pane;
    this.book = book;
    this.cache = new Map();
    this.entries = new Map();
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
   * Show page `id`; resolves with its <article>, or null when it could not
   * be shown (the pane then says why and links to the first page).
   */
  async show(id) {
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
      this.pane.removeAttribute("aria-busy");
      this._message(`“${e.title}” could not be loaded (${err.message}). If you are offline, open a page you have read before.`);
      return null;
    }
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    const article = tpl.content.querySelector("article");
    this.pane.replaceChildren(article || tpl.content);
    this.pane.removeAttribute("aria-busy");
    document.title = this.pageTitle(e);
    return article;
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
