// Palette tokens → colours, read from the CSS custom properties --c-<token>
// that the build writes from llmviz.core.palette. Re-read when the colour
// scheme changes, so dark mode needs nothing from the modes.

const cache = new Map();
let warned = new Set();

/** Drop the cached colours (call when the theme changes). */
export function resetPalette() {
  cache.clear();
  warned = new Set();
}

/** CSS colour of palette token `token`; the ink colour for an unknown token. */
export function color(token) {
  let c = cache.get(token);
  if (c !== undefined) return c;
  c = getComputedStyle(document.documentElement).getPropertyValue(`--c-${token}`).trim();
  if (!c) {
    if (!warned.has(token)) {
      warned.add(token);
      console.warn(`palette token ${token} is not defined`);
    }
    c = token === "ink" ? "#000" : color("ink");
  }
  cache.set(token, c);
  return c;
}

/** [r, g, b] of a palette token (hex colours only, as the palette writes them). */
export function rgb(token) {
  const key = `rgb:${token}`;
  let v = cache.get(key);
  if (v) return v;
  const hex = color(token).replace("#", "");
  const full = hex.length === 3 ? hex.split("").map((ch) => ch + ch).join("") : hex.slice(0, 6);
  v = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) || 0);
  cache.set(key, v);
  return v;
}

/** Call fn whenever the colour scheme changes. */
export function onSchemeChange(fn) {
  const mq = window.matchMedia("(prefers-color-scheme: dark)");
  mq.addEventListener("change", () => {
    resetPalette();
    fn();
  });
}
