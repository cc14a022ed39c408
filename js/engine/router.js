// Hash routes, so the book works on any static host with no rewrites:
//   #/<id>                     a chapter or appendix
//   #/<id>/<anchor>            scroll to element <anchor> inside it
//   #/<id>?view=<sub>&<p>=<v>  open the simulation in that view with those values

/** Parse a location hash into {id, anchor, view, values}; values are raw strings. */
export function parseHash(hash) {
  let h = (hash || "").replace(/^#/, "");
  if (!h.startsWith("/")) return { id: "", anchor: h ? decodeURIComponent(h) : "", view: "", values: {} };
  h = h.slice(1);
  const q = h.indexOf("?");
  const path = q < 0 ? h : h.slice(0, q);
  const query = q < 0 ? "" : h.slice(q + 1);
  const [id = "", ...rest] = path.split("/");
  const params = new URLSearchParams(query);
  const values = {};
  let view = "";
  for (const [k, v] of params) {
    if (k === "view") view = v;
    else values[k] = v;
  }
  return { id: decodeURIComponent(id), anchor: decodeURIComponent(rest.join("/")), view, values };
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
  constructor(onRoute, fallbackId) {
    this.onRoute = onRoute;
    this.fallbackId = fallbackId;
    this.current = null;
    window.addEventListener("hashchange", () => this._fire(false));
  }

  start() {
    this._fire(true);
  }

  _fire(initial) {
    const route = parseHash(location.hash);
    if (!route.id && !route.anchor) route.id = this.fallbackId;
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
