// The console pane: simulation events and messages, newest at the bottom,
// coloured by level, capped so a long visit does not grow the page.
//
// Lines are appended in one batch per frame and the pane is scrolled to the
// newest line in the next animation frame: measuring the pane right after
// appending would force a layout of everything still dirty on the page.

const MAX_LINES = 200;
const LEVELS = new Set(["info", "event", "warn", "error"]);
const NEAR_BOTTOM_PX = 24;

function line(level, text) {
  const li = document.createElement("li");
  const lv = LEVELS.has(level) ? level : "info";
  li.className = `log log-${lv}`;
  li.dataset.level = lv;
  li.textContent = text;
  return li;
}

export class ConsoleLog {
  constructor(list) {
    this.list = list;
    this.follow = true; // keep the newest line in view unless the reader scrolled up
    this.scrollPending = false;
    list.addEventListener("scroll", () => {
      this.follow = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
    }, { passive: true });
  }

  /** Append one line; level is info, event, warn or error. */
  add(level, text) {
    this.addAll([{ level, text }]);
  }

  /** Append the console events of a frame ([{level, text}]). */
  addAll(events) {
    if (!events || !events.length) return;
    const batch = document.createDocumentFragment();
    for (const e of events) batch.append(line(e.level, e.text));
    this.list.append(batch);
    while (this.list.childElementCount > MAX_LINES) this.list.firstElementChild.remove();
    if (this.follow && !this.scrollPending) {
      this.scrollPending = true;
      requestAnimationFrame(() => {
        this.scrollPending = false;
        this.list.scrollTop = this.list.scrollHeight;
      });
    }
  }

  clear() {
    this.list.replaceChildren();
    this.follow = true;
  }
}
