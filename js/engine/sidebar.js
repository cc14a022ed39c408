// The contents pane: marks the page being read and, on a narrow screen,
// opens and closes as a menu.

export class Sidebar {
  constructor(nav, menuButton) {
    this.nav = nav;
    this.button = menuButton;
    this.button.addEventListener("click", () => this.toggle());
    nav.addEventListener("click", (e) => {
      if (e.target.closest("a")) this.toggle(false);
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.isOpen()) {
        this.toggle(false);
        this.button.focus();
      }
    });
  }

  isOpen() {
    return document.body.classList.contains("menu-open");
  }

  /** Open or close the menu (narrow screens); no argument flips it. */
  toggle(open = !this.isOpen()) {
    document.body.classList.toggle("menu-open", open);
    this.button.setAttribute("aria-expanded", String(open));
    if (open) this.nav.querySelector("[aria-current=page]")?.focus();
  }

  // Scroll only the contents pane (never the page) to show the current link.
  // Measured in the next animation frame, when the browser lays the page out
  // anyway: measuring now would force a layout of a page still being filled.
  _reveal(a) {
    requestAnimationFrame(() => {
      const nav = this.nav;
      if (!a.isConnected || nav.scrollHeight <= nav.clientHeight) return;
      const top = a.getBoundingClientRect().top - nav.getBoundingClientRect().top + nav.scrollTop;
      if (top < nav.scrollTop || top > nav.scrollTop + nav.clientHeight - 48) {
        nav.scrollTop = top - nav.clientHeight / 3;
      }
    });
  }

  /** Mark the link to page `id` as the current page. */
  markCurrent(id) {
    for (const a of this.nav.querySelectorAll("a[data-route]")) {
      if (a.dataset.route === id) {
        a.setAttribute("aria-current", "page");
        this._reveal(a);
      } else a.removeAttribute("aria-current");
    }
  }
}
