// The canvas: keeps its backing store at device-pixel resolution as it
// resizes, repaints the latest scene (or a fault panel), and names the
// labelled shape under the pointer.

import { color } from "./palette.js";
import { fitTransform, paintError, paintScene } from "./painter.js";

export class Stage {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.scene = null;
    this.fault = null;
    this.aspect = 960 / 600;
    this.cssW = 0;
    this.cssH = 0;
    this.dpr = 1;
    new ResizeObserver(() => this.resize()).observe(canvas.parentElement);
    canvas.addEventListener("pointermove", (e) => this._hover(e));
    canvas.addEventListener("pointerleave", () => canvas.removeAttribute("title"));
    this.resize();
  }

  /** Match the canvas height to the scene's aspect ratio (logical w×h). */
  setAspect(w, h) {
    const a = w / h;
    if (Math.abs(a - this.aspect) > 1e-3) {
      this.aspect = a;
      this.canvas.parentElement.style.setProperty("--stage-aspect", `${w} / ${h}`);
      this.resize();
    }
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    if (r.width === this.cssW && r.height === this.cssH && dpr === this.dpr) return;
    this.cssW = r.width;
    this.cssH = r.height;
    this.dpr = dpr;
    this.canvas.width = Math.max(1, Math.round(r.width * dpr));
    this.canvas.height = Math.max(1, Math.round(r.height * dpr));
    this.repaint();
  }

  /** Show a scene; it replaces any fault panel. */
  show(scene) {
    this.scene = scene;
    this.fault = null;
    this.repaint();
  }

  /** Show a fault panel instead of the scene. */
  showFault(title, message) {
    this.fault = { title, message };
    this.repaint();
  }

  clear() {
    this.scene = null;
    this.fault = null;
    this.repaint();
  }

  repaint() {
    if (!this.cssW || !this.cssH) return;
    if (this.fault) paintError(this.ctx, this.fault.title, this.fault.message, this.cssW, this.cssH, this.dpr);
    else if (this.scene) paintScene(this.ctx, this.scene, this.cssW, this.cssH, this.dpr);
    else {
      this.ctx.setTransform(1, 0, 0, 1, 0, 0);
      this.ctx.fillStyle = color("bg");
      this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    }
  }

  _hover(e) {
    if (!this.scene || this.fault) return;
    const r = this.canvas.getBoundingClientRect();
    const { s, ox, oy } = fitTransform(this.scene.w, this.scene.h, this.cssW, this.cssH, 1);
    const x = (e.clientX - r.left - ox) / s;
    const y = (e.clientY - r.top - oy) / s;
    let label = "";
    for (const it of this.scene.items) {
      if (it.label && x >= it.x && x <= it.x + it.w && y >= it.y && y <= it.y + it.h) label = it.label;
    }
    if (label) this.canvas.title = label;
    else this.canvas.removeAttribute("title");
  }
}
