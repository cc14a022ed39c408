// The one generic painter: draws a scene (plain data from llmviz.core.scene)
// on a 2-D canvas context. The scene's logical w×h space is scaled to fit the
// canvas keeping its aspect ratio, centred, at device-pixel resolution.

import { color, rgb } from "./palette.js";

// The font stacks are the page's own (--sans and --mono in style.css), read once.
let stacks = null;

/** The CSS font shorthand the painter draws text in: font "sans" or "mono", 600 when bold, size in px. */
export function canvasFont(font, bold, size = 13) {
  if (!stacks) {
    const css = getComputedStyle(document.documentElement);
    stacks = {
      sans: css.getPropertyValue("--sans").trim() || "sans-serif",
      mono: css.getPropertyValue("--mono").trim() || "monospace",
    };
  }
  return `${bold ? "600 " : ""}${size}px ${font === "mono" ? stacks.mono : stacks.sans}`;
}
const ALIGN = { l: "left", c: "center", r: "right" };
const BASE = { t: "top", m: "middle", b: "bottom" };

/**
 * Transform from logical scene units to device pixels for a canvas of
 * cssW×cssH CSS pixels at ratio dpr: {s, ox, oy} with device = s·logical + o.
 */
export function fitTransform(sceneW, sceneH, cssW, cssH, dpr) {
  const s = Math.min(cssW / sceneW, cssH / sceneH);
  return { s: s * dpr, ox: ((cssW - sceneW * s) / 2) * dpr, oy: ((cssH - sceneH * s) / 2) * dpr };
}

function setStroke(ctx, it) {
  ctx.strokeStyle = color(it.stroke);
  ctx.lineWidth = it.lw ?? 1;
  ctx.setLineDash(it.dash || []);
}

// Fill and/or stroke the current path, as the primitive asks.
function finish(ctx, it) {
  if (it.fill) {
    ctx.fillStyle = color(it.fill);
    ctx.fill();
  }
  if (it.stroke) {
    setStroke(ctx, it);
    ctx.stroke();
  }
}

function rect(ctx, it) {
  ctx.beginPath();
  if (it.r && ctx.roundRect) ctx.roundRect(it.x, it.y, it.w, it.h, it.r);
  else ctx.rect(it.x, it.y, it.w, it.h);
  finish(ctx, it);
}

function line(ctx, it) {
  setStroke(ctx, it);
  ctx.beginPath();
  ctx.moveTo(it.x1, it.y1);
  ctx.lineTo(it.x2, it.y2);
  ctx.stroke();
}

function path(ctx, it) {
  const p = it.pts;
  if (!p || p.length < 4) return;
  ctx.beginPath();
  ctx.moveTo(p[0], p[1]);
  for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i], p[i + 1]);
  if (it.closed) ctx.closePath();
  ctx.lineJoin = "round";
  finish(ctx, it);
}

function circle(ctx, it) {
  ctx.beginPath();
  ctx.arc(it.x, it.y, Math.max(0, it.r), 0, Math.PI * 2);
  finish(ctx, it);
}

function arrow(ctx, it) {
  const dx = it.x2 - it.x1;
  const dy = it.y2 - it.y1;
  const len = Math.hypot(dx, dy);
  if (len === 0) return;
  const head = Math.min(it.head ?? 8, len);
  const ux = dx / len;
  const uy = dy / len;
  // Stop the shaft at the head's base so a thick line does not poke through the tip.
  const bx = it.x2 - ux * head;
  const by = it.y2 - uy * head;
  setStroke(ctx, it);
  ctx.beginPath();
  ctx.moveTo(it.x1, it.y1);
  ctx.lineTo(bx, by);
  ctx.stroke();
  ctx.setLineDash([]);
  const half = head * 0.5;
  ctx.beginPath();
  ctx.moveTo(it.x2, it.y2);
  ctx.lineTo(bx - uy * half, by + ux * half);
  ctx.lineTo(bx + uy * half, by - ux * half);
  ctx.closePath();
  ctx.fillStyle = color(it.stroke);
  ctx.fill();
}

function text(ctx, it) {
  ctx.font = canvasFont(it.font, it.bold, it.size);
  ctx.fillStyle = color(it.fill || "ink");
  ctx.textAlign = ALIGN[it.align] || "left";
  ctx.textBaseline = BASE[it.base] || "middle";
  // mw is the width tests assumed for this label: never draw wider than that.
  if (it.mw > 0) ctx.fillText(it.s, it.x, it.y, it.mw);
  else ctx.fillText(it.s, it.x, it.y);
}

function mix(a, b, f) {
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

function cellColor(it, v) {
  const lo = it.vmin ?? 0;
  const hi = it.vmax ?? 1;
  let f = hi === lo ? 0.5 : (v - lo) / (hi - lo);
  f = Math.max(0, Math.min(1, f));
  let c;
  if (it.cmap === "div") {
    c = f < 0.5 ? mix(rgb("div-lo"), rgb("bg"), f * 2) : mix(rgb("bg"), rgb("div-hi"), (f - 0.5) * 2);
  } else {
    c = mix(rgb("heat-lo"), rgb("heat-hi"), f);
  }
  return `rgb(${c[0] | 0},${c[1] | 0},${c[2] | 0})`;
}

function grid(ctx, it, pxPerUnit) {
  const cw = it.w / it.cols;
  const ch = it.h / it.rows;
  // A one-device-pixel gutter in the stroke colour separates cells when they
  // are big enough to afford it.
  const gap = it.stroke && Math.min(cw, ch) * pxPerUnit >= 6 ? 1 / pxPerUnit : 0;
  if (gap) {
    ctx.fillStyle = color(it.stroke);
    ctx.fillRect(it.x, it.y, it.w, it.h);
  }
  let masked = false;
  for (let r = 0; r < it.rows; r++) {
    for (let c = 0; c < it.cols; c++) {
      const v = it.v[r * it.cols + c];
      if (v === null || v === undefined) {
        masked = true;
        continue;
      }
      ctx.fillStyle = cellColor(it, v);
      ctx.fillRect(it.x + c * cw + gap / 2, it.y + r * ch + gap / 2, cw - gap, ch - gap);
    }
  }
  if (masked) maskCells(ctx, it, cw, ch, gap, pxPerUnit);
}

// Masked cells are hatched faintly: visibly "nothing here", never mistaken for a low value.
function maskCells(ctx, it, cw, ch, gap, pxPerUnit) {
  ctx.save();
  ctx.beginPath();
  for (let r = 0; r < it.rows; r++) {
    for (let c = 0; c < it.cols; c++) {
      const v = it.v[r * it.cols + c];
      if (v === null || v === undefined) ctx.rect(it.x + c * cw + gap / 2, it.y + r * ch + gap / 2, cw - gap, ch - gap);
    }
  }
  ctx.fillStyle = color("panel");
  ctx.fill();
  ctx.clip();
  ctx.strokeStyle = color("faint");
  ctx.lineWidth = 1 / pxPerUnit;
  ctx.setLineDash([]);
  const step = 6 / pxPerUnit;
  ctx.beginPath();
  for (let d = -it.h; d < it.w; d += step) {
    ctx.moveTo(it.x + d, it.y + it.h);
    ctx.lineTo(it.x + d + it.h, it.y);
  }
  ctx.stroke();
  ctx.restore();
}

const DRAW = { rect, line, path, circle, arrow, text };

/**
 * Paint `scene` ({w, h, items}) onto ctx, whose canvas is cssW×cssH CSS
 * pixels at device ratio dpr. Unknown item kinds are skipped.
 */
export function paintScene(ctx, scene, cssW, cssH, dpr) {
  const { s, ox, oy } = fitTransform(scene.w, scene.h, cssW, cssH, dpr);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = 1;
  ctx.fillStyle = color("bg");
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(s, 0, 0, s, ox, oy);
  ctx.lineCap = "butt";
  ctx.lineJoin = "miter";
  for (const it of scene.items) {
    ctx.globalAlpha = it.a ?? 1;
    if (it.k === "grid") grid(ctx, it, s);
    else DRAW[it.k]?.(ctx, it);
  }
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
}

/**
 * Paint a readable fault panel across the canvas: a title and the message,
 * wrapped to the canvas width. Used when Python reports an error.
 */
export function paintError(ctx, title, message, cssW, cssH, dpr) {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
  ctx.fillStyle = color("bg");
  ctx.fillRect(0, 0, cssW, cssH);
  const pad = Math.max(12, Math.min(28, cssW * 0.05));
  const w = cssW - 2 * pad;
  ctx.fillStyle = color("panel");
  ctx.strokeStyle = color("bad");
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  if (ctx.roundRect) ctx.roundRect(pad, pad, w, cssH - 2 * pad, 8);
  else ctx.rect(pad, pad, w, cssH - 2 * pad);
  ctx.fill();
  ctx.stroke();
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  ctx.fillStyle = color("bad");
  ctx.font = canvasFont("sans", true, 16);
  let y = pad + 16;
  ctx.fillText(title, pad + 16, y, w - 32);
  y += 28;
  ctx.fillStyle = color("ink");
  ctx.font = canvasFont("mono", false, 13);
  for (const ln of wrap(ctx, message, w - 32)) {
    if (y > cssH - pad - 20) break;
    ctx.fillText(ln, pad + 16, y);
    y += 19;
  }
  ctx.fillStyle = color("muted");
  ctx.font = canvasFont("sans", false, 13);
  ctx.fillText("The rest of the book still works: change a parameter, reset, or open another chapter.",
    pad + 16, Math.min(cssH - pad - 22, y + 10), w - 32);
}

function wrap(ctx, s, maxW) {
  const out = [];
  for (const para of String(s).split("\n")) {
    let cur = "";
    for (const word of para.split(/(\s+)/)) {
      const next = cur + word;
      if (ctx.measureText(next).width > maxW && cur.trim()) {
        out.push(cur.trimEnd());
        cur = word.trimStart();
      } else cur = next;
    }
    out.push(cur);
  }
  return out;
}
