// Pre-renders the book's math with KaTeX at build time, so readers download
// only KaTeX's CSS and fonts, never its JavaScript.
//
// Usage: node render-math.mjs <path to katex.mjs>
// stdin:  JSON array of {"tex": string, "display": boolean}
// stdout: JSON array, same order, of {"html": string} or {"error": string}
// One process renders a whole build; malformed TeX is reported, not rendered.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const katex = (await import(pathToFileURL(process.argv[2]).href)).default;
const items = JSON.parse(readFileSync(0, "utf8"));
const results = items.map(({ tex, display }) => {
  try {
    return {
      html: katex.renderToString(tex, {
        displayMode: Boolean(display),
        throwOnError: true,
        output: "htmlAndMathml",
        strict: "ignore",
        trust: false,
      }),
    };
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
});
process.stdout.write(JSON.stringify(results));
