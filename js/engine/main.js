// The page: routes between chapters, shows their text at once, and runs
// their simulations in one Python worker that lives for the whole visit.

import "./vis-trigger.js";
import { chapterFonts, paneFonts, textFonts, warmFonts } from "./fonts.js";
import { Library } from "./library.js";
import { onSchemeChange } from "./palette.js";
import { Router, parseHash } from "./router.js";
import { SimClient } from "./sim-client.js";
import { Sidebar } from "./sidebar.js";
import { registerServiceWorker } from "./sw-register.js";
import { Workshop } from "./workshop.js";

const book = JSON.parse(document.getElementById("book-data").textContent);
const library = new Library(document.getElementById("library"), book);
const sidebar = new Sidebar(document.getElementById("sidebar"), document.querySelector(".menu-button"));
const workshopEl = document.getElementById("workshop");

const sim = new SimClient(new URL("worker.js", import.meta.url), {
  pyodideURL: new URL(book.pyodide, location.href).href,
  wheelURL: new URL(book.wheel, location.href).href,
  build: book.build,
});
const workshop = new Workshop(workshopEl, sim, writeState);
sim.onRestart = (reason) => workshop.restart(reason);
// A handle for the browser's developer tools (and the tests that kill the worker).
globalThis.llmvizSim = sim;
wireBoot();
warmFonts(textFonts); // while the first chapter is fetched
// On a first visit Python's worker starts once the opening page's text is
// in (onRoute): compiling Python's runtime keeps every core busy, and laid
// out beside it the text took 50-100 ms tasks. A returning reader's worker
// was started by the shell (index.html). Whatever happens to the first page,
// Python starts after this long.
const PYTHON_START_LATEST_MS = 3000;
setTimeout(() => sim.start(), PYTHON_START_LATEST_MS);

let pageId = "";    // the page on screen
let requested = ""; // the page last routed to, which may still be loading
let navToken = 0;
const router = new Router(onRoute, book.order?.[0] || "", pageForAnchor);

// Anchors that only one page of the book holds, by their prefix (the
// appendices' generated ids), for a link copied without its page.
const ANCHOR_PAGES = [
  [/^(model|models|hardware|formats|interconnects|at)-/, "appendix-d"],
  [/^paper-/, "appendix-e"],
  [/^notation-/, "appendix-c"],
  [/^sol-/, "appendix-a"],
  [/^term-/, "appendix-b"],
];

function pageForAnchor(anchor) {
  const found = ANCHOR_PAGES.find(([re]) => re.test(anchor));
  return found && (book.order || []).includes(found[1]) ? found[1] : "";
}

async function onRoute(route, { initial }) {
  if (!route.id) {
    // A plain in-page anchor (#term-x): scroll, and keep the route in the URL.
    scrollToAnchor(route.anchor);
    router.replace({ ...router.current, id: requested, anchor: route.anchor });
    return;
  }
  if (route.id !== requested) {
    requested = route.id;
    const token = ++navToken;
    // The simulation opens as soon as the page's first screen is in; the
    // rest of the text follows while Python works.
    let opened = false;
    const firstScreen = (article) => {
      opened = true;
      if (initial) performance.mark("llmviz:prose"); // the first page's text is in (read by bench/)
      if (token !== navToken) return;
      pageId = route.id;
      sidebar.markCurrent(route.id);
      if (article && route.notice) library.note(route.notice);
      const mode = article?.dataset.mode;
      if (mode) {
        warmFonts(() => [...chapterFonts(article), ...paneFonts()]);
        workshop.open(mode, route.view, route.values);
      } else workshop.close();
      workshopEl.hidden = !mode && !!article;
      document.body.classList.toggle("has-sim", Boolean(mode));
      if (!initial && !route.anchor) {
        window.scrollTo(0, 0);
        library.pane.scrollTop = 0;
        focusHeading(article);
      }
    };
    const article = await library.show(route.id, firstScreen);
    if (initial) sim.start();
    if (token !== navToken) return;
    if (!opened) firstScreen(null); // not shown (unknown page, failed fetch): the pane says why
    if (article && (route.notice || !parseHash(location.hash).id)) {
      // The address named no page (a bare anchor, a malformed escape): write
      // the one the reader is really at, so a copied link works.
      router.replace({ id: route.id, anchor: route.anchor && document.getElementById(route.anchor) ? route.anchor : "",
        view: route.view, values: route.values });
    }
    if (article && !route.notice && route.anchor && !document.getElementById(route.anchor)) {
      library.note(`This page has no section “#${route.anchor}”; it opens at the top.`);
    }
    if (route.anchor) {
      // The anchor may lie in any slice: scroll once the whole page is in.
      scrollToAnchor(route.anchor);
      if (!initial) focusHeading(article);
    }
  } else {
    if (route.view || Object.keys(route.values).length) workshop.select(route.view, route.values);
    if (route.anchor) scrollToAnchor(route.anchor);
  }
}

function scrollToAnchor(anchor) {
  if (!anchor) return;
  const el = document.getElementById(anchor);
  if (!el) return;
  const details = el.closest("details");
  if (details) details.open = true;
  el.scrollIntoView({ block: "start" });
}

// Moving focus to the new heading tells screen-reader users the page changed.
function focusHeading(article) {
  const h = article?.querySelector("h1") || library.pane;
  if (!h.hasAttribute("tabindex")) h.setAttribute("tabindex", "-1");
  h.focus({ preventScroll: true });
}

// The simulation's accepted state goes into the URL, so a copied link
// reproduces it; only values that differ from what the view implies are written.
function writeState(state, baseline) {
  if (!pageId || !workshop.desc) return;
  const values = {};
  for (const [k, v] of Object.entries(state.values)) {
    if (String(v) !== String(baseline[k])) values[k] = v;
  }
  const view = state.submode && state.submode !== workshop.desc.default_submode ? state.submode : "";
  router.replace({ id: pageId, anchor: router.current?.anchor || "", view, values });
}

function wireBoot() {
  const bar = workshopEl.querySelector(".boot-bar");
  const stage = workshopEl.querySelector(".boot-stage");
  const note = workshopEl.querySelector(".boot-note");
  const retry = workshopEl.querySelector(".boot-retry");
  const starting = { stage: stage.textContent, note: note.textContent };
  let t0 = performance.now();
  sim.onProgress = (p) => {
    bar.value = p.pct;
    bar.textContent = `${p.pct}%`;
    stage.textContent = `${p.text}… ${p.pct}%`;
  };
  sim.onLog = (m) => workshop.log.add(m.level, m.text);
  const ready = (r) => {
    const s = (ms) => (ms / 1000).toFixed(1);
    workshop.log.add("info", `Python started in ${s(performance.now() - t0)} s `
      + `(runtime ${s(r.pythonMs)} s, simulations ${s(r.llmvizMs)} s).`);
    if (workshop.root.dataset.state === "booting") {
      workshop.setState(workshop.desc ? "ready" : workshop.modeId ? "opening" : "none");
    }
    workshopEl.classList.add("booted");
  };
  // The reader sees what happened and what still works; the cause, which
  // means something to a developer, goes to the console below the canvas.
  const failed = (reason) => {
    stage.textContent = "The simulations could not start.";
    note.textContent = "Something Python needs could not be loaded (details in the console below). "
      + "Check the connection and try again; the text of every chapter still reads normally.";
    retry.hidden = false;
    workshopEl.classList.add("boot-failed");
    if (workshop.root.dataset.state === "booting" || workshop.root.dataset.state === "opening") {
      workshop.setState("unavailable");
    }
    workshop.log.add("error", `Python could not start: ${reason}`);
  };
  sim.onStatus = (status, detail) => (status === "ready" ? ready(detail) : failed(detail));
  // The shell's early worker may have answered before this page listened.
  if (sim.isReady && sim.readyInfo) ready(sim.readyInfo);
  else if (sim.failed) failed(sim.failed);
  retry.addEventListener("click", () => {
    t0 = performance.now();
    stage.textContent = starting.stage;
    note.textContent = starting.note;
    bar.value = 0;
    bar.textContent = "0%";
    retry.hidden = true;
    workshopEl.classList.remove("boot-failed");
    workshop.log.add("info", "Starting Python again.");
    workshop.retry();
    // Focus stayed on the button, which is now hidden: keep it in the pane.
    workshop.root.querySelector(".stage-canvas").focus({ preventScroll: true });
  });
}

// ←/→ move through the book in reading order, unless the reader is typing
// or adjusting a control.
document.addEventListener("keydown", (e) => {
  if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
  const t = e.target;
  if (t instanceof HTMLElement && (t.closest("input, select, textarea, [contenteditable=true]") || t.isContentEditable)) return;
  const order = book.order || [];
  const i = order.indexOf(pageId);
  const next = order[i + (e.key === "ArrowRight" ? 1 : -1)];
  if (i < 0 || !next) return;
  e.preventDefault();
  router.go({ id: next });
});

document.addEventListener("vis-trigger", (e) => workshop.select(e.detail.submode, e.detail.values));

onSchemeChange(() => workshop.stage.repaint());
router.start();
registerServiceWorker(document.querySelector(".update-notice"), sim.ready);
