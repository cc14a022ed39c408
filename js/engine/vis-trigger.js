// <vis-trigger data-submode="grow" data-values='{"context": 4096}'>phrase</vis-trigger>
// A phrase in the prose that switches the simulation beside it. It asks; the
// workshop listens for the "vis-trigger" event and applies the request.

const ACTIVE = "active";

class VisTrigger extends HTMLElement {
  connectedCallback() {
    if (!this.hasAttribute("tabindex")) this.tabIndex = 0;
    if (!this.hasAttribute("role")) this.setAttribute("role", "button");
    this.setAttribute("aria-pressed", String(this.classList.contains(ACTIVE)));
    if (!this._wired) {
      this._wired = true;
      this.addEventListener("click", () => this.fire());
      this.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          this.fire();
        }
      });
    }
  }

  /** The requested sub-mode and values ({} when the attribute is malformed). */
  request() {
    let values = {};
    const raw = this.dataset.values;
    if (raw) {
      try {
        values = JSON.parse(raw);
      } catch {
        values = null;
      }
    }
    return { submode: this.dataset.submode || "", values };
  }

  fire() {
    const req = this.request();
    const root = this.closest("article") || document;
    for (const other of root.querySelectorAll(`vis-trigger.${ACTIVE}`)) markActive(other, false);
    markActive(this, true);
    this.dispatchEvent(new CustomEvent("vis-trigger", { bubbles: true, detail: { ...req, trigger: this } }));
    // On a narrow screen the simulation is below the text: bring it into view.
    if (window.matchMedia("(max-width: 899px)").matches) {
      const ws = document.getElementById("workshop");
      const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      ws?.scrollIntoView({ behavior: reduce ? "auto" : "smooth", block: "start" });
    }
  }
}

function markActive(el, on) {
  el.classList.toggle(ACTIVE, on);
  el.setAttribute("aria-pressed", String(on));
}

/** Clear the highlight of every trigger under root (e.g. after a manual change). */
export function clearActiveTriggers(root = document) {
  for (const el of root.querySelectorAll(`vis-trigger.${ACTIVE}`)) markActive(el, false);
}

if (!customElements.get("vis-trigger")) customElements.define("vis-trigger", VisTrigger);
