// The telemetry list beside the canvas: one row per metric the frame reports
// (core.mode.metric). Rows are reused between frames and only changed text
// is written, since this runs on every animation frame.

export class Telemetry {
  constructor(dl) {
    this.dl = dl;
    this.rows = new Map();
    this.signature = "";
  }

  clear() {
    this.dl.replaceChildren();
    this.rows.clear();
    this.signature = "";
  }

  /** Show a list of {id, label, text, value, unit, help} entries. */
  update(entries) {
    const sig = entries.map((e) => e.id).join("|");
    if (sig !== this.signature) {
      this.clear();
      this.signature = sig;
      for (const e of entries) {
        const row = document.createElement("div");
        row.className = "metric";
        row.dataset.metric = e.id;
        const dt = document.createElement("dt");
        const dd = document.createElement("dd");
        row.append(dt, dd);
        this.dl.append(row);
        this.rows.set(e.id, { row, dt, dd, label: null, text: null, help: null });
      }
    }
    for (const e of entries) {
      const r = this.rows.get(e.id);
      if (r.label !== e.label) r.dt.textContent = r.label = e.label;
      if (r.text !== e.text) r.dd.textContent = r.text = e.text;
      const help = e.help || "";
      if (r.help !== help) {
        r.help = help;
        if (help) r.row.title = help;
        else r.row.removeAttribute("title");
      }
    }
  }
}
