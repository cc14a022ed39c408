// The console pane: simulation events and messages, newest at the bottom,
// coloured by level, capped so a long visit does not grow the page.

const MAX_LINES = 200;
const LEVELS = new Set(["info", "event", "warn", "error"]);

export class ConsoleLog {
  constructor(list) {
    this.list = list;
  }

  /** Append one line; level is info, event, warn or error. */
  add(level, text) {
    const li = document.createElement("li");
    const lv = LEVELS.has(level) ? level : "info";
    li.className = `log log-${lv}`;
    li.dataset.level = lv;
    li.textContent = text;
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 24;
    this.list.append(li);
    while (this.list.childElementCount > MAX_LINES) this.list.firstElementChild.remove();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  /** Append the console events of a frame ([{level, text}]). */
  addAll(events) {
    for (const e of events || []) this.add(e.level, e.text);
  }

  clear() {
    this.list.replaceChildren();
  }
}
