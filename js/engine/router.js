// Hash routes, so the book works on any static host with no rewrites:
//   #/<id>                     a chapter or appendix
//   #/<id>/<anchor>            scroll to element <anchor> inside it
//   #/<id>?view=<sub>&<p>=<v>  open the simulation in that view with those values

/** decodeURIComponent, or null for a malformed escape such as "%E0%A4%A" or a lone "%". */
function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * Parse a location hash into {id, anchor, view, values, problem}; values are
 * raw strings. A hash that cannot be decoded gives an empty route whose
 * `problem` holds it, so the caller can say why it was not honoured.
 */
export function parseHash(hash) {
  let h = (hash || "").replace(/^#/, "");
  const none = { id: "", anchor: "", view: "", values: {}, problem: "" };
  if (!h.startsWith("/")) {
    const anchor = decode(h);
    return anchor === null ? { ...none, problem: h } : { ...none, anchor };
  }
  h = h.slice(1);
  const q = h.indexOf("?");
  const path = q < 0 ? h : h.slice(0, q);
  const query = q < 0 ? "" : h.slice(q + 1);
  const [rawId = "", ...rest] = path.split("/");
  const id = decode(rawId);
  const anchor = decode(rest.join("/"));
  if (id === null || anchor === null) return { ...none, problem: h };
  const params = new URLSearchParams(query); // never throws: bad escapes stay as text
  const values = {};
  let view = "";
  for (const [k, v] of params) {
    if (k === "view") view = v;
    else values[k] = v;
  }
  return { id, anchor, view, values, problem: "" };
}

/** Build a hash for a route; values are written in the given order. */
export function formatHash({ id, anchor = "", view = "", values = {} }) {
  let h = `#/${encodeURIComponent(id)}`;
  if (anchor) h += `/${encodeURIComponent(anchor)}`;
  const params = new URLSearchParams();
  if (view) params.set("view", view);
  for (const [k, v] of Object.entries(values)) params.set(k, String(v));
  const q = params.toString();
  return q ? `${h}?${q}` : h;
}

/**
 * Watch the hash and call onRoute(route, {initial}) for every change.
 * Writing simulation state back uses replace(), which does not add history
 * entries and does not trigger onRoute: back/forward step between pages,
 * not between slider positions.
 */
export class Router {
  /**
   * `pageForAnchor(anchor)` names the page that holds a bare anchor (a link
   * copied as "#model-qwen3-32b"), or "" when no page is known to.
   */
  constructor(onRoute, fallbackId, pageForAnchor = () => "") {
    this.onRoute = onRoute;
    this.fallbackId = fallbackId;
    this.pageForAnchor = pageForAnchor;
    this.current = null;
    window.addEventListener("hashchange", () => this._fire(false));
  }

  start() {
    this._fire(true);
  }

  _fire(initial) {
    const route = parseHash(location.hash);
    if (route.problem) {
      const shown = route.problem.length > 60 ? `${route.problem.slice(0, 57)}…` : route.problem;
      route.notice = `The address “#${shown}” could not be read, so the book opened here instead.`;
    }
    // A bare anchor moves within the page on screen; with no page on screen
    // yet (a first load), it opens the page that holds it.
    if (!route.id && route.anchor && !this.current?.id) {
      route.id = this.pageForAnchor(route.anchor);
      if (!route.id) route.notice = `No page of the book is known to hold “#${route.anchor}”, so the book opened here instead.`;
    }
    if (!route.id && (!route.anchor || !this.current?.id)) route.id = this.fallbackId;
    this.current = route;
    this.onRoute(route, { initial });
  }

  /** Go to a route, adding a history entry (a link click does the same). */
  go(route) {
    location.hash = formatHash(route);
  }

  /**
   * Rewrite the current entry without navigating (simulation state). An
   * entry that already names another page is left alone: back or forward
   * moves the URL before its hashchange event arrives, and rewriting the
   * new entry then would lose the navigation.
   */
  replace(route) {
    const here = parseHash(location.hash);
    if (here.id && here.id !== route.id) return;
    const h = formatHash(route);
    if (h !== location.hash) history.replaceState(history.state, "", h);
    this.current = route;
  }
}
