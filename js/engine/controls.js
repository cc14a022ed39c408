// Controls built from a mode's declared parameters (llmviz.core.params):
// Number → labelled range (log-scaled when declared), Choice → select,
// Flag → checkbox. Each control sends the raw value to Python, which
// validates and clamps; update() then shows what Python accepted (also kept
// as data-value on each control, the value a deep link would reproduce).

const LOG_STEPS = 1000;

/** Readable number: integers with thin grouping, others to 3 significant digits. */
export function formatValue(x, p) {
  if (typeof x !== "number" || !Number.isFinite(x)) return String(x);
  // Grouping by hand: toLocaleString's first call loads ICU data, tens of
  // milliseconds on the main thread while the first controls are built.
  if (p.integer) return String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(p.step || 0.01))));
  return x.toFixed(decimals);
}

function snap(x, p) {
  const step = p.step || (p.integer ? 1 : 0);
  let v = step ? p.lo + Math.round((x - p.lo) / step) * step : x;
  v = Math.min(p.hi, Math.max(p.lo, v));
  if (p.integer) v = Math.round(v);
  // Trim binary noise from the step arithmetic (0.1 + 0.2).
  return Number(v.toPrecision(12));
}

function logOK(p) {
  return p.log && p.lo > 0 && p.hi > p.lo;
}

function toSlider(x, p) {
  if (!logOK(p)) return x;
  return Math.round((Math.log(x / p.lo) / Math.log(p.hi / p.lo)) * LOG_STEPS);
}

function fromSlider(pos, p) {
  if (!logOK(p)) return snap(Number(pos), p);
  return snap(p.lo * Math.pow(p.hi / p.lo, Number(pos) / LOG_STEPS), p);
}

function helpId(p) {
  return `help-${p.name}`;
}

function numberControl(p, send) {
  const wrap = document.createElement("div");
  wrap.className = "control control-number";
  wrap.dataset.param = p.name;
  const id = `param-${p.name}`;
  wrap.innerHTML = `<div class="control-head"><label for="${id}"></label><output for="${id}"></output></div>
    <input type="range" id="${id}" name="${p.name}">
    <p class="control-help" id="${helpId(p)}"></p>`;
  const [label, out, input, help] = [wrap.querySelector("label"), wrap.querySelector("output"),
    wrap.querySelector("input"), wrap.querySelector(".control-help")];
  label.textContent = p.label;
  help.textContent = p.help || "";
  input.setAttribute("aria-describedby", helpId(p));
  if (logOK(p)) {
    wrap.dataset.scale = "log";
    input.min = 0;
    input.max = LOG_STEPS;
    input.step = 1;
  } else {
    input.min = p.lo;
    input.max = p.hi;
    input.step = p.step || (p.integer ? 1 : "any");
  }
  const show = (v) => {
    const text = `${formatValue(v, p)}${p.unit ? ` ${unitFor(v, p.unit)}` : ""}`;
    out.textContent = text;
    input.setAttribute("aria-valuetext", text);
  };
  input.addEventListener("input", () => {
    const v = fromSlider(input.value, p);
    show(v);
    send(p.name, v);
  });
  return {
    el: wrap,
    set(v) {
      input.value = toSlider(v, p);
      wrap.dataset.value = String(v);
      show(v);
    },
  };
}

function choiceControl(p, send) {
  const wrap = document.createElement("div");
  wrap.className = "control control-choice";
  wrap.dataset.param = p.name;
  const id = `param-${p.name}`;
  wrap.innerHTML = `<label for="${id}"></label><select id="${id}" name="${p.name}"></select>
    <p class="control-help" id="${helpId(p)}"></p>`;
  wrap.querySelector("label").textContent = p.label;
  wrap.querySelector(".control-help").textContent = p.help || "";
  const select = wrap.querySelector("select");
  select.setAttribute("aria-describedby", helpId(p));
  for (const [value, text] of p.options) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.append(o);
  }
  select.addEventListener("change", () => send(p.name, select.value));
  return { el: wrap, set(v) { select.value = wrap.dataset.value = String(v); } };
}

function flagControl(p, send) {
  const wrap = document.createElement("div");
  wrap.className = "control control-flag";
  wrap.dataset.param = p.name;
  const id = `param-${p.name}`;
  wrap.innerHTML = `<label><input type="checkbox" id="${id}" name="${p.name}"> <span></span></label>
    <p class="control-help" id="${helpId(p)}"></p>`;
  wrap.querySelector("span").textContent = p.label;
  wrap.querySelector(".control-help").textContent = p.help || "";
  const box = wrap.querySelector("input");
  box.setAttribute("aria-describedby", helpId(p));
  box.addEventListener("change", () => send(p.name, box.checked));
  return { el: wrap, set(v) { box.checked = Boolean(v); wrap.dataset.value = String(box.checked); } };
}

// "1 tokens" reads wrong: a plain plural word unit loses its "s" at exactly 1
// (rates such as "req/s" and symbols such as "GB" are left alone).
function unitFor(v, unit) {
  return Number(v) === 1 && /^[A-Za-z]+s$/.test(unit) ? unit.slice(0, -1) : unit;
}

const BUILDERS = { number: numberControl, choice: choiceControl, flag: flagControl };

/**
 * Fill `form` with one control per declared parameter. `send(name, value)`
 * is called on every change. Returns {update(values), show(names)}: the
 * first shows accepted values, the second shows only the controls the
 * current view lists (a view declares the sliders that change its picture).
 */
export function buildControls(form, params, send) {
  form.replaceChildren();
  const controls = new Map();
  for (const p of params) {
    const make = BUILDERS[p.kind];
    if (!make) continue;
    const c = make(p, send);
    controls.set(p.name, c);
    form.append(c.el);
  }
  form.onsubmit = (e) => e.preventDefault();
  return {
    update(values) {
      for (const [name, v] of Object.entries(values)) controls.get(name)?.set(v);
    },
    show(names) {
      const shown = new Set(names || controls.keys());
      for (const [name, c] of controls) c.el.hidden = !shown.has(name);
    },
  };
}

/**
 * Fill `group` with one button per sub-mode; `choose(name)` on click.
 * Returns {update(active)} to mark the current one.
 */
export function buildViews(group, submodes, choose) {
  group.replaceChildren();
  const buttons = new Map();
  const names = Object.keys(submodes || {});
  group.hidden = names.length < 2;
  for (const name of names) {
    const s = submodes[name];
    const b = document.createElement("button");
    b.type = "button";
    b.className = "view";
    b.textContent = s.label || name;
    if (s.help) b.title = s.help;
    b.setAttribute("aria-pressed", "false");
    b.dataset.view = name;
    b.addEventListener("click", () => choose(name));
    buttons.set(name, b);
    group.append(b);
  }
  return {
    update(active) {
      for (const [name, b] of buttons) b.setAttribute("aria-pressed", String(name === active));
    },
  };
}
