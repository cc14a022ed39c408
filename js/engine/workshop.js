// The workshop pane: one open simulation at a time. Owns the clock
// (play/pause/step/reset/speed), the animation loop that asks Python for
// frames (one request in flight at most, stale answers dropped), the
// controls, telemetry and console, and the fault panel.

import { buildControls, buildViews } from "./controls.js";
import { ConsoleLog } from "./console-log.js";
import { Stage } from "./stage.js";
import { Telemetry } from "./telemetry.js";
import { clearActiveTriggers } from "./vis-trigger.js";

const MAX_DT = 0.1; // s of wall time per frame at most, so a hidden tab does not jump ahead
const REDUCED_STEP_MS = 1000; // with reduced motion, "play" advances one step per second

export class Workshop {
  /**
   * @param {HTMLElement} root  the workshop <aside>
   * @param {import("./sim-client.js").SimClient} sim
   * @param {(state: {submode: string, values: object}, baseline: object) => void} onState
   *        called when the simulation's accepted state changes (to write the URL)
   */
  constructor(root, sim, onState) {
    this.root = root;
    this.sim = sim;
    this.onState = onState;
    this.stage = new Stage(root.querySelector(".stage-canvas"));
    this.telemetry = new Telemetry(root.querySelector(".telemetry"));
    this.log = new ConsoleLog(root.querySelector(".console"));
    this.timeOut = root.querySelector(".sim-time");
    this.playButton = root.querySelector("[data-action=play]");
    this.speedSelect = root.querySelector("[data-action=speed]");
    this.reduced = window.matchMedia("(prefers-reduced-motion: reduce)");

    this.openGen = 0; // bumps on every open: frames of an older mode are dropped
    this.modeId = "";
    this.desc = null;
    this.state = null;
    this.fault = null;
    this.t = 0;
    this.playing = false;
    this.speed = 1;
    this.inflight = false;
    this.dirty = false;
    this.lastTs = 0;
    this.lastStepTs = 0;
    this.shownT = -1;

    this._wireTransport();
    requestAnimationFrame((ts) => this._tick(ts));
  }

  // -- opening and closing ------------------------------------------------

  /** Open mode `modeId` in view `view` with raw `values` (from the URL or defaults). */
  async open(modeId, view = "", values = {}) {
    const gen = ++this.openGen;
    this.modeId = modeId;
    this.asked = { view, values }; // reopened as asked if Python restarts before it answers
    this.desc = null;
    this.state = null;
    this.fault = null;
    this.setState(this.sim.failed ? "unavailable" : this.root.dataset.state === "booting" ? "booting" : "opening");
    this.root.querySelector(".no-sim").hidden = true;
    this.stage.clear();
    this.telemetry.clear();
    this.log.clear();
    this.timeOut.textContent = "";
    const res = await this.sim.request("open", { mode: modeId, values, submode: view });
    if (gen !== this.openGen || res.restarting) return;
    if (res.error) {
      this._buildEmptyControls();
      // Python itself did not start: the pane's start-up panel says so and
      // offers a retry (main.js); the detail is in the console already.
      if (this.sim.failed) this.setState("unavailable");
      else this._showFault(res.error, `The simulation “${modeId}” could not open`);
      return;
    }
    this.desc = res.describe;
    this.stage.setAspect(...this.desc.size);
    this.controls = buildControls(this.root.querySelector(".controls"), this.desc.params,
      (name, value) => this.set(name, value));
    this.views = buildViews(this.root.querySelector(".views"), this.desc.submodes,
      (name) => this.select(name, {}, true));
    this.log.add("info", `${this.desc.title}: simulation ready.`);
    this._messages(res.messages);
    this._accept(res.state);
    this.t = 0;
    this.shownT = -1;
    this.setPlaying(!this.reduced.matches);
    this.dirty = true;
    this.setState("ready");
  }

  /**
   * Python's worker was replaced (sim-client's watchdog): show the boot
   * progress, then reopen the same simulation with its view, values and time.
   */
  async restart(reason) {
    // What was on screen, or (a restart while it was still opening) what was asked for.
    const shown = Boolean(this.desc && this.state);
    const keep = shown
      ? { mode: this.modeId, view: this.state.submode, values: this.state.values, t: this.t, playing: this.playing }
      : this.modeId ? { mode: this.modeId, ...this.asked, t: 0, playing: !this.reduced.matches } : null;
    this.setPlaying(false);
    this.inflight = false;
    this.root.dataset.state = "booting";
    this.log.add("warn", `${reason}; starting it again…`);
    if (!keep) return;
    await this.sim.ready.catch(() => {});
    if (this.sim.failed) {
      this.setState("unavailable");
      return;
    }
    if (this.modeId !== keep.mode) return; // the reader moved on meanwhile
    await this.open(keep.mode, keep.view, keep.values);
    if (this.modeId !== keep.mode || !this.desc) return;
    this.t = keep.t;
    this.setPlaying(keep.playing && !this.reduced.matches);
    this.dirty = true;
    this.log.add("warn", shown
      ? `${reason}. Python was started again and the simulation reopened where it was (t = ${keep.t.toFixed(1)} s).`
      : `${reason}. Python was started again and the simulation opened as asked.`);
  }

  /** Leave the current simulation (a page without one). */
  close() {
    ++this.openGen;
    this.modeId = "";
    this.desc = null;
    this.state = null;
    this.fault = null;
    this.setPlaying(false);
    this.stage.clear();
    this.telemetry.clear();
    this._buildEmptyControls();
    this.root.querySelector(".no-sim").hidden = false;
    this.setState("none");
  }

  _buildEmptyControls() {
    this.root.querySelector(".controls").replaceChildren();
    this.root.querySelector(".views").replaceChildren();
    this.controls = null;
    this.views = null;
  }

  /** After a failed start: boot Python again and reopen what the reader asked for. */
  retry() {
    if (!this.sim.failed) return;
    this.sim.retry();
    this.root.dataset.state = "booting";
    if (this.modeId) this.open(this.modeId, this.asked?.view, this.asked?.values);
  }

  /** data-state on the pane: booting, opening, ready, fault, unavailable (Python did not start) or none. */
  setState(s) {
    if (s === "opening" && this.root.dataset.state === "booting") return;
    this.root.dataset.state = s;
  }

  // -- changes from the reader ----------------------------------------------

  /** Set one parameter; Python validates and clamps, and its answer is shown. */
  async set(name, value) {
    if (!this.desc) return;
    const gen = this.openGen;
    clearActiveTriggers();
    const res = await this.sim.request("set", { name, value });
    if (gen !== this.openGen || res.restarting) return;
    if (res.error) return this._showFault(res.error);
    this._messages(res.messages);
    this._accept(res.state);
  }

  /**
   * Switch to view `submode` (may be "") and apply `values`. A new view starts
   * its story from t = 0; a bare parameter change keeps the clock.
   */
  async select(submode, values = {}, fromButton = false) {
    if (!this.desc) {
      this.log.add("warn", "The simulation is still starting; try the phrase again in a moment.");
      return;
    }
    if (values === null) {
      this.log.add("warn", "This phrase's simulation settings could not be read; nothing was changed.");
      return;
    }
    const gen = this.openGen;
    if (fromButton) clearActiveTriggers();
    const res = await this.sim.request("select", { submode, values });
    if (gen !== this.openGen || res.restarting) return;
    if (res.error) return this._showFault(res.error);
    this._messages(res.messages);
    this._accept(res.state);
    if (submode) {
      this.t = 0;
      this.setPlaying(!this.reduced.matches);
    }
  }

  _messages(messages) {
    for (const m of messages || []) this.log.add("warn", m);
  }

  _accept(state) {
    this.state = state;
    this.fault = null;
    this.controls?.update(state.values);
    this.views?.update(state.submode);
    this.controls?.show(this.desc.submodes?.[state.submode]?.controls);
    this.dirty = true;
    if (this.root.dataset.state === "fault") this.setState("ready");
    this.onState?.(state, this.baseline(state.submode));
  }

  /**
   * The values a link to view `submode` gets without listing any: defaults,
   * then the default view's presets, then the view's own (the order Python's
   * open_mode applies them in).
   */
  baseline(submode) {
    const b = {};
    for (const p of this.desc.params) b[p.name] = p.default;
    const subs = this.desc.submodes || {};
    Object.assign(b, subs[this.desc.default_submode]?.values || {});
    if (submode) Object.assign(b, subs[submode]?.values || {});
    return b;
  }

  _showFault(error, title = "The simulation stopped") {
    const first = this.fault !== error;
    this.fault = error;
    this.setPlaying(false);
    this.stage.showFault(title, error);
    if (first) this.log.add("error", `${title}: ${error}`);
    this.setState("fault");
  }

  // -- the clock and the loop ------------------------------------------------

  _wireTransport() {
    this.root.querySelector(".transport").addEventListener("click", (e) => {
      const action = e.target.closest("button")?.dataset.action;
      if (action === "play") this.setPlaying(!this.playing);
      else if (action === "step") this.step();
      else if (action === "reset") this.reset();
      else if (action === "expand") {
        const on = document.body.classList.toggle("wide-stage");
        e.target.closest("button").setAttribute("aria-pressed", String(on));
        e.target.closest("button").textContent = on ? "Shrink" : "Enlarge";
      }
    });
    this.speedSelect.addEventListener("change", () => {
      this.speed = Number(this.speedSelect.value) || 1;
    });
    this.stage.canvas.addEventListener("keydown", (e) => {
      if (e.key === " " || e.key === "Spacebar") {
        e.preventDefault();
        this.setPlaying(!this.playing);
      }
    });
  }

  setPlaying(on) {
    this.playing = Boolean(on) && Boolean(this.desc) && !this.fault;
    this.playButton.textContent = this.playing ? "Pause" : "Play";
    this.playButton.setAttribute("aria-pressed", String(this.playing));
    this.lastTs = 0;
    this.lastStepTs = 0;
  }

  /** Advance one step (the mode's step_dt) and pause. */
  step() {
    if (!this.desc) return;
    this.setPlaying(false);
    this.t += this.desc.step_dt || 1;
    this.dirty = true;
  }

  /** Back to t = 0, paused; also the way out of a fault. */
  reset() {
    if (!this.desc) return;
    this.setPlaying(false);
    this.t = 0;
    this.fault = null;
    this.dirty = true;
  }

  _tick(ts) {
    requestAnimationFrame((next) => this._tick(next));
    if (!this.desc || this.fault) return;
    if (this.playing) {
      if (this.reduced.matches) {
        // Reduced motion: discrete steps at a calm pace instead of continuous motion.
        if (!this.lastStepTs) this.lastStepTs = ts;
        else if (ts - this.lastStepTs >= REDUCED_STEP_MS / this.speed) {
          this.lastStepTs = ts;
          this.t += this.desc.step_dt || 1;
          this.dirty = true;
        }
      } else {
        if (this.lastTs) {
          this.t += Math.min(MAX_DT, (ts - this.lastTs) / 1000) * this.speed;
          this.dirty = true;
        }
        this.lastTs = ts;
      }
    }
    if (this.dirty && !this.inflight) this._requestFrame();
  }

  async _requestFrame() {
    const gen = this.openGen;
    const t = this.t;
    this.inflight = true;
    this.dirty = false;
    let res;
    try {
      res = await this.sim.request("frame", { t });
    } catch (err) {
      res = { error: String(err.message || err) };
    }
    this.inflight = false;
    if (gen !== this.openGen || res.restarting) {
      this.dirty = true; // answer for a mode that is no longer open, or a worker being replaced
      return;
    }
    if (res.error) return this._showFault(res.error);
    if (this.fault) return; // a fault arrived while this frame was computed
    this.stage.show(res.scene);
    this.telemetry.update(res.telemetry || []);
    this.log.addAll(res.console);
    if (res.t !== this.shownT) {
      this.shownT = res.t;
      this.timeOut.textContent = `t = ${res.t.toFixed(1)} s`;
    }
  }
}
