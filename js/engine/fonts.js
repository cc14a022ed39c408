// Fonts resolved ahead of need. The first time a page sets text in a font
// at a size, the browser looks that font up; on Linux every lookup is a
// synchronous call to the browser process, 1-5 ms on an idle machine and
// 40-100 ms while Python boots beside it (bench/README.md). Left to the first
// frame, those lookups made it a long task. Resolved a few at a time while the
// page waits for Python, they are already cached when the frame needs them.

import { canvasFont } from "./painter.js";

const SLICE_MS = 6; // at most this much lookup work per idle period
const SAMPLE = "0.9 Ag";
const warmed = new Set();

/** The fonts the chapter's simulation draws text in (the build lists them on its <article>). */
export function chapterFonts(article) {
  try {
    return JSON.parse(article?.dataset.fonts || "[]").map(([font, bold, size]) => canvasFont(font, bold, size));
  } catch {
    return [];
  }
}

// A length custom property of the root (rem or px) in px; 0 when unset.
function sizePx(css, name) {
  const raw = css.getPropertyValue(name).trim();
  const n = parseFloat(raw);
  if (!(n > 0)) return 0;
  return raw.endsWith("rem") ? n * (parseFloat(css.fontSize) || 16) : n;
}

const KATEX_SCALE = 1.21; // KaTeX's stylesheet sets math at 1.21em of the text around it

/**
 * The fonts of a chapter's text: the body's serif in its styles, the
 * headings' sizes (--fs-h1, --fs-h2) in the sans stack, and KaTeX's main
 * faces at the size of inline math. Resolved before a chapter arrives, its
 * first screen does not wait for them.
 */
export function textFonts() {
  const css = getComputedStyle(document.documentElement);
  const body = getComputedStyle(document.body);
  const px = parseFloat(body.fontSize) || 17;
  const serif = body.fontFamily;
  const out = [`${px}px ${serif}`, `italic ${px}px ${serif}`, `600 ${px}px ${serif}`, `700 ${px}px ${serif}`];
  for (const name of ["--fs-h1", "--fs-h2"]) {
    const size = sizePx(css, name);
    if (size) out.push(`700 ${size}px ${css.getPropertyValue("--sans").trim()}`);
  }
  const math = px * KATEX_SCALE;
  out.push(`${math}px KaTeX_Main`, `italic ${math}px KaTeX_Math`, `700 ${math}px KaTeX_Main`);
  // KaTeX's faces are web fonts: ask for them now, not when the first formula is laid out.
  for (const face of ["KaTeX_Main", "KaTeX_Math"]) document.fonts?.load(`${math}px ${face}`).catch(() => {});
  return out;
}

/**
 * The fonts of the simulation pane's own text: its three type sizes
 * (--fs-pane, --fs-data, --fs-note in style.css) in both stacks, regular
 * and bold, and the labels' medium weight.
 */
export function paneFonts() {
  const css = getComputedStyle(document.documentElement);
  const out = [];
  for (const name of ["--fs-pane", "--fs-data", "--fs-note"]) {
    const px = sizePx(css, name);
    if (!px) continue;
    for (const font of ["sans", "mono"]) out.push(canvasFont(font, false, px), canvasFont(font, true, px));
    out.push(`500 ${canvasFont("sans", false, px)}`); // the controls' labels
  }
  return out;
}

/**
 * Resolve the fonts `list()` returns (CSS font shorthands) in idle time, a
 * few at a time; each font once per visit. The list is made in idle time
 * too: reading computed styles while a page is being filled forces a style
 * recalculation.
 */
export function warmFonts(list) {
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 20));
  let todo = null;
  let ctx = null;
  const step = () => {
    if (!todo) {
      todo = [...new Set(list())].filter((f) => !warmed.has(f)).reverse();
      ctx = document.createElement("canvas").getContext("2d");
    }
    const t0 = performance.now();
    while (todo.length && performance.now() - t0 < SLICE_MS) {
      const font = todo.pop();
      warmed.add(font);
      ctx.font = font;
      ctx.measureText(SAMPLE);
    }
    if (todo.length) idle(step);
  };
  idle(step);
}
