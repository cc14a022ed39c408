// Registers the service worker the build writes (sw.js: a versioned
// precache), so a visited book opens offline. When a newer build's worker
// takes over, a quiet notice offers a reload instead of swapping the page
// under the reader.

// Precaching competes with Python's first boot for the network, so it waits
// for the boot; but a boot that hangs or fails must not cost the reader
// offline reading, so it waits at most this long.
const REGISTER_LATEST_MS = 20000;

/**
 * Watch for a newer build from now on, and register sw.js once `when`
 * settles or REGISTER_LATEST_MS have passed, whichever comes first.
 */
export function registerServiceWorker(notice, when = Promise.resolve()) {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  const reloadBtn = notice.querySelector("button");
  let waiting = null;

  const offer = (worker) => {
    waiting = worker || null;
    notice.hidden = false;
  };
  reloadBtn.addEventListener("click", () => {
    // A worker that waits for permission is told to take over; the page
    // reloads when it does. An already active one just needs the reload.
    if (waiting && waiting.state === "installed") {
      navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
      waiting.postMessage({ type: "SKIP_WAITING" });
    } else location.reload();
  });

  const register = () => navigator.serviceWorker.register("sw.js").then((reg) => {
    if (!reg) return; // registration refused by the browser's policy
    if (reg.waiting && hadController) offer(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const w = reg.installing;
      w?.addEventListener("statechange", () => {
        if (w.state === "installed" && navigator.serviceWorker.controller) offer(w);
      });
    });
  }).catch((err) => console.warn(`offline support is unavailable: ${err.message}`));
  let registered = false;
  const once = () => {
    if (!registered) register();
    registered = true;
  };
  when.catch(() => {}).finally(once);
  setTimeout(once, REGISTER_LATEST_MS);

  // A first visit gets its first controller: nothing new to announce.
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadController) offer(null);
  });
  // The worker names the build it activated; a page of another build offers a reload.
  navigator.serviceWorker.addEventListener("message", (e) => {
    if (e.data?.type === "activated" && e.data.build !== document.documentElement.dataset.build) offer(null);
  });
  navigator.serviceWorker.startMessages();
}
