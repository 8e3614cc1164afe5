/* vakhsh web app: one page over the JSON API (/docs). No framework, no network beyond
   this server; charts with the plotly bundle served from /static/vendor. */
"use strict";

// ------------------------------------------------------------------ small helpers
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const NUMBER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
function fmt(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  if (typeof value !== "number") return String(value);
  if (digits === undefined) digits = Math.abs(value) < 100 ? 1 : 0;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits,
                                         maximumFractionDigits: digits });
}
const musd = (usd) => (usd === null || usd === undefined) ? "—" : `${fmt(usd / 1e6, 1)} M USD`;
const when = (iso) => iso ? iso.replace("T", " ").replace("Z", " UTC") : "";
const firstSentence = (text) => (text || "").split(/(?<=\.)\s/)[0];
function kindLabel(kind, n) {
  const plural = kind.replace(/_/g, " ");
  if (n !== 1) return `${n} ${plural}`;
  const one = { reaches: "reach", buses: "bus" }[kind] || plural.replace(/s$/, "");
  return `1 ${one}`;
}

class ApiFailure extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.problems = (body && body.problems) || [];
  }
}

async function api(path, options = {}) {
  const init = { ...options, headers: { ...(options.headers || {}) } };
  if (options.json !== undefined) {
    init.body = JSON.stringify(options.json);
    init.headers["content-type"] = "application/json";
    delete init.json;
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { error: text }; }
  if (!response.ok) throw new ApiFailure(response.status, body);
  return body;
}

function problemsBox(error) {
  const items = (error.problems && error.problems.length ? error.problems :
    [{ field: "", message: error.message }]);
  return h("div", { class: "message bad", role: "alert" },
    h("strong", { text: items.length > 1 ? `${items.length} problems` : "Problem" }),
    h("ul", {}, items.map((p) => h("li", {},
      p.field ? h("code", { text: p.field }) : null, p.field ? " — " : null,
      p.message))));
}

function progressBar(job) {
  const bar = h("div", { class: `progress ${job.status}`, role: "progressbar",
    "aria-valuemin": 0, "aria-valuemax": 100,
    "aria-valuenow": Math.round(100 * job.progress), dataset: { run: job.id } },
  h("div", { style: `width:${Math.round(100 * job.progress)}%` }));
  return bar;
}

function badge(status) { return h("span", { class: `badge ${status}`, text: status }); }

// ------------------------------------------------------------------ live state
const state = { runs: new Map(), listeners: new Set(), selected: new Set(), models: null };

function setRun(job) {
  state.runs.set(job.id, job);
  for (const listener of [...state.listeners]) listener(job);
  updateRunCount();
}

function onRun(listener) { state.listeners.add(listener); return listener; }

function updateRunCount() {
  const active = [...state.runs.values()].filter((j) => ["queued", "running"].includes(j.status));
  document.getElementById("run-count").textContent = active.length ? `${active.length}` : "";
}

function connectEvents() {
  const live = document.getElementById("live");
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => {  // (re)connected: catch up on what was missed
    live.classList.add("on");
    refreshRuns().then((jobs) => jobs.forEach(setRun)).catch(() => {});
  });
  source.addEventListener("error", () => live.classList.remove("on"));
  source.addEventListener("run", (event) => setRun(JSON.parse(event.data)));
}

async function refreshRuns() {
  const jobs = await api("/api/runs");
  for (const job of jobs) state.runs.set(job.id, job);
  updateRunCount();
  return jobs;
}

// ------------------------------------------------------------------ router
const view = () => document.getElementById("view");

function route() {
  state.listeners.clear();
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, "")) || "models";
  const [path, query] = hash.split("?");
  const parts = path.split("/");
  const params = new URLSearchParams(query || "");
  for (const a of document.querySelectorAll("#tabs a[data-tab]"))
    a.classList.toggle("active", a.dataset.tab === parts[0]);
  const pages = {
    models: () => parts[1] ? modelPage(parts.slice(1).join("/")) : modelsPage(),
    runs: () => parts[1] ? runPage(parts[1]) : runsPage(),
    compare: () => comparePage((params.get("runs") || "").split(",").filter(Boolean)),
    outputs: () => parts[1] ? outputPage(parts.slice(1).join("/")) : outputsPage(),
  };
  const page = pages[parts[0]] || modelsPage;
  window.scrollTo(0, 0);
  page().catch((error) => { view().replaceChildren(problemsBox(error)); });
}

function go(hash) { location.hash = hash; }

// ------------------------------------------------------------------ models
async function modelsPage() {
  const root = view();
  root.replaceChildren(h("h1", { text: "Models" }),
    h("p", { class: "muted", text: "The embedded models and the model folders in this " +
      "server's workdir. Pick one to see its network, edit a scenario and run it." }),
    h("div", { class: "grid", id: "model-list" }, h("p", { class: "muted", text: "Loading…" })));
  const models = await api("/api/models");
  state.models = models;
  const list = document.getElementById("model-list");
  list.replaceChildren(...models.map(modelCard));
  root.append(uploadPanel());
}

function modelCard(model) {
  const counts = Object.entries(model.components || {}).map(([kind, n]) =>
    h("span", { class: "chip", text: kindLabel(kind, n) }));
  return h("div", { class: "model-card", tabindex: 0, dataset: { model: model.name },
    onclick: () => go(`#/models/${model.name}`),
    onkeydown: (e) => { if (e.key === "Enter") go(`#/models/${model.name}`); } },
  h("div", { style: "display:flex;justify-content:space-between;gap:.5rem" },
    h("h3", { text: model.name }),
    h("span", {}, badge(model.valid ? model.source : "invalid"))),
  h("p", { text: firstSentence(model.description) }),
  model.period ? h("p", { class: "small", text: `${model.period.start.slice(0, 10)} to ` +
    `${model.period.end.slice(0, 10)}, ${model.period.steps} steps of ${model.period.step}` })
    : null,
  h("div", { class: "chips" }, counts),
  model.scenarios.length ? h("div", { class: "chips" }, h("span", { class: "small muted",
    text: "scenarios:" }), model.scenarios.map((s) => h("span", { class: "chip scen", text: s })))
    : null,
  model.valid ? null : h("p", { class: "small", style: "color:var(--bad)",
    text: `${model.problems.length} problem(s): ${model.problems[0]?.message || ""}` }));
}

function uploadPanel() {
  const file = h("input", { type: "file", accept: ".zip,application/zip", id: "upload-file" });
  const name = h("input", { type: "text", id: "upload-name", placeholder: "(the folder's name)" });
  const out = h("div", { id: "upload-result" });
  const send = h("button", { class: "primary", id: "upload-send", onclick: async () => {
    out.replaceChildren();
    if (!file.files.length) { out.append(problemsBox(new Error("choose a .zip file"))); return; }
    send.disabled = true;
    try {
      const query = name.value.trim() ? `?name=${encodeURIComponent(name.value.trim())}` : "";
      const model = await api(`/api/models${query}`, { method: "POST", body: file.files[0],
        headers: { "content-type": "application/zip" } });
      out.append(h("div", { class: "message ok" }, `Added ${model.name}. `,
        h("a", { href: `#/models/${model.name}`, text: "Open it" })));
      const list = document.getElementById("model-list");
      list.append(modelCard(model));
    } catch (error) { out.append(problemsBox(error)); } finally { send.disabled = false; }
  } }, "Upload and validate");
  return h("section", { class: "panel", style: "margin-top:1.2rem" },
    h("h2", { style: "margin-top:0", text: "Add a model" }),
    h("p", { class: "small muted", text: "A zipped model folder (model.yaml and its CSV " +
      "series), at most 50 MB. It is checked like `vakhsh validate`, every scenario " +
      "included, and added only when valid." }),
    h("div", { class: "row2" }, h("div", {}, h("label", { for: "upload-file", text: "zip file" }),
      file), h("div", {}, h("label", { for: "upload-name", text: "name (optional)" }), name)),
    h("div", { class: "actions" }, send), out);
}

async function modelPage(name) {
  const root = view();
  root.replaceChildren(h("p", { class: "muted", text: `Loading ${name}…` }));
  const detail = await api(`/api/models/${encodeURIComponent(name)}`);
  const period = detail.period;
  root.replaceChildren(
    h("div", { class: "crumbs" }, h("a", { href: "#/models", text: "Models" }), " / ", name),
    h("h1", { text: detail.name }, " ", badge(detail.source)),
    h("p", { class: "muted", text: detail.description }),
    h("p", { class: "small", text: `As written: ${period.start.slice(0, 10)} to ` +
      `${period.end.slice(0, 10)}, ${period.steps} steps of ${period.step}.` }),
    h("div", { class: "two" }, scenarioEditor(detail), modelFacts(detail)),
    networkPanel(name),
    h("section", { class: "panel", id: "model-tables" }, h("h2", { style: "margin-top:0",
      text: "Tables" }), h("div", { class: "table-grid" }, detail.tables.map(showTable))));
}

function modelFacts(detail) {
  // the scenarios the model defines, beside the editor (the schematic gets the full width
  // below, the component counts are in the tables)
  const rows = (detail.scenarios || []).map((sc) => h("tr", {},
    h("td", { text: sc.name }), h("td", { class: "small", text: sc.description || "" })));
  return h("section", { class: "panel" }, h("h2", { style: "margin-top:0", text: "Scenarios" }),
    rows.length ? h("table", { class: "data" }, h("tbody", {}, rows))
      : h("p", { class: "muted", text: "The model defines no scenario: it runs as written." }),
    h("p", { class: "small muted", text: "The schematic below: hover over a component for " +
      "its details." }));
}

function networkPanel(name) {
  // the schematic inline (not an <img>), so that its hover texts (SVG <title>) show; the
  // SVG is the server's own, drawn by matplotlib, every text in it escaped
  const url = `/api/models/${encodeURIComponent(name)}/schematic.svg`;
  const holder = h("div", { class: "schematic", id: "schematic", role: "img",
    "aria-label": `schematic of ${name}` }, h("p", { class: "muted", text: "Drawing…" }));
  fetch(url).then((r) => r.ok ? r.text() : Promise.reject(new Error(r.statusText)))
    .then((svg) => { holder.innerHTML = svg; holder.dataset.ready = "1"; })
    .catch((e) => holder.replaceChildren(h("p", { class: "message bad",
      text: `The schematic could not be drawn: ${e.message}` })));
  return h("section", { class: "panel", style: "margin-top:1rem" },
    h("h2", { style: "margin-top:0" }, "The network ",
      h("a", { class: "small", target: "_blank", text: "(open on its own)", href: url })),
    holder);
}

function showTable(table) {
  const numeric = table.columns.map((c, i) => c.digits !== null && i > 0);
  const cell = (v, c) => {
    if (c.digits === null) return v ?? "";
    if (v === null || v === undefined) return "—";
    return c.percent ? `${fmt(100 * v, c.digits)} %` : fmt(v, c.digits);
  };
  return h("div", { class: "scroll" }, h("h3", { text: table.title }),
    h("table", { class: "data", dataset: { table: table.key } },
      h("thead", {}, h("tr", {}, table.columns.map((c, i) =>
        h("th", { class: numeric[i] ? "num" : "", text: c.name })))),
      h("tbody", {}, table.rows.map((row) => h("tr", {}, row.map((v, i) =>
        h("td", { class: numeric[i] ? "num" : "", text: cell(v, table.columns[i]) })))))));
}

// ------------------------------------------------------------------ scenario editor
function parseValue(text) {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  try { return JSON.parse(trimmed); } catch { return trimmed; }
}

function scenarioEditor(detail) {
  const fields = new Map(detail.fields.map((f) => [f.path, f]));
  const datalist = h("datalist", { id: "field-paths" },
    detail.fields.map((f) => h("option", { value: f.path, label: `${f.type}${f.unit ? " · " +
      f.unit : ""}` })));
  const scenario = h("select", { id: "scenario", name: "scenario" },
    detail.scenarios.length ? null : h("option", { value: "", text: "(the model as written)" }),
    detail.scenarios.map((s) => h("option", { value: s.name, text: s.name })));
  if (detail.scenarios.some((s) => s.name === "base")) scenario.value = "base";
  const about = h("p", { class: "hint", id: "scenario-about" });
  const describe = () => {
    const s = detail.scenarios.find((x) => x.name === scenario.value);
    about.replaceChildren();
    if (!s) return;
    about.append(s.description || "");
    const sets = Object.entries(s.set || {});
    if (sets.length) about.append(h("br"), `sets ${sets.map(([k, v]) => `${k} = ` +
      JSON.stringify(v)).join(", ")}`);
    if (s.inflow_factor_by_month && s.inflow_factor_by_month.some((f) => f !== 1))
      about.append(h("br"), "inflows × " + s.inflow_factor_by_month.join(" "));
  };
  scenario.addEventListener("change", describe);
  describe();
  const p = detail.period;
  const start = h("input", { type: "text", id: "start", placeholder: p.start.slice(0, 10) });
  const end = h("input", { type: "text", id: "end", placeholder: p.end.slice(0, 10) });
  const step = h("input", { type: "text", id: "step", placeholder: p.step });
  const head = h("select", { id: "head" },
    h("option", { value: "auto", text: "head follows the level where the data allow (default)" }),
    h("option", { value: "fixed", text: "fixed head" }),
    h("option", { value: "iterate", text: "head iterated (successive LP)" }),
    h("option", { value: "fpha", text: "head-dependent planes (FPHA) for every plant allowed" }));
  const rows = h("div", { id: "overrides" });
  const addRow = (path = "", value = "") => {
    const pathInput = h("input", { type: "text", class: "path", list: "field-paths",
      placeholder: "reservoirs.upper.storage_initial_hm3", value: path,
      "aria-label": "field (dotted path)" });
    const valueInput = h("input", { type: "text", class: "value", placeholder: "value",
      value, "aria-label": "value" });
    const meta = h("div", { class: "meta" });
    const explain = () => {
      const f = fields.get(pathInput.value.trim());
      const written = (v) => f.value !== null ? JSON.stringify(v) : f.required ? "—" :
        `(default ${f.default === null ? "none" : JSON.stringify(f.default)})`;
      meta.textContent = f ? `${f.type}${f.unit ? " · " + f.unit : ""} · written: ` +
        written(f.value) : (pathInput.value.trim() ? "not a field of this model (see the list)" : "");
      meta.title = f ? f.description : "";
    };
    pathInput.addEventListener("input", explain);
    explain();
    const row = h("div", { class: "override" }, pathInput, valueInput,
      h("button", { title: "remove", "aria-label": "remove", onclick: () => row.remove() }, "×"),
      meta);
    rows.append(row);
    return row;
  };
  const result = h("div", { id: "editor-result" });
  const progress = h("div", { id: "run-progress" });
  const request = () => {
    const body = { model: detail.name, head: head.value, set: {} };
    if (scenario.value) body.scenario = scenario.value;
    for (const [key, input] of [["start", start], ["end", end], ["step", step]])
      if (input.value.trim()) body[key] = input.value.trim();
    for (const row of rows.querySelectorAll(".override")) {
      const path = row.querySelector(".path").value.trim();
      if (path) body.set[path] = parseValue(row.querySelector(".value").value);
    }
    return body;
  };
  const mark = (problems) => {
    for (const el of [scenario, start, end, step, head, ...rows.querySelectorAll("input")])
      el.classList.remove("bad");
    for (const p of problems || []) {
      const simple = { scenario, start, end, step, head }[p.field];
      if (simple) simple.classList.add("bad");
      if (p.field && p.field.startsWith("set.")) {
        for (const row of rows.querySelectorAll(".override"))
          if (row.querySelector(".path").value.trim() === p.field.slice(4))
            row.querySelectorAll("input").forEach((i) => i.classList.add("bad"));
      }
    }
  };
  const validate = async () => {
    result.replaceChildren();
    try {
      const ok = await api("/api/validate", { method: "POST", json: request() });
      mark([]);
      result.append(h("div", { class: "message ok", id: "valid" }, "Valid: ",
        `${ok.period.steps} steps of ${ok.period.step} from ${ok.period.start.slice(0, 10)} ` +
        `to ${ok.period.end.slice(0, 10)}` + (ok.scenario ? `, scenario ${ok.scenario}` : "")));
      return true;
    } catch (error) { mark(error.problems); result.append(problemsBox(error)); return false; }
  };
  const runButton = h("button", { class: "primary", id: "run", onclick: async () => {
    result.replaceChildren();
    runButton.disabled = true;
    try {
      const job = await api("/api/runs", { method: "POST", json: request() });
      mark([]);
      setRun(job);
      followRun(job, progress);
    } catch (error) { mark(error.problems); result.append(problemsBox(error)); }
    finally { runButton.disabled = false; }
  } }, "Run");
  return h("section", { class: "panel", id: "editor" },
    h("h2", { style: "margin-top:0", text: "Run this model" }), datalist,
    h("label", { for: "scenario", text: "scenario" }), scenario, about,
    h("div", { class: "row" },
      h("div", {}, h("label", { for: "start", text: "start" }), start),
      h("div", {}, h("label", { for: "end", text: "end (exclusive)" }), end),
      h("div", {}, h("label", { for: "step", text: "step" }), step)),
    h("label", { for: "head", text: "hydropower head" }), head,
    h("label", { text: "override fields (dotted path, like a scenario's set)" }), rows,
    h("div", { class: "actions" },
      h("button", { id: "add-override", onclick: () => addRow() }, "+ field"),
      h("button", { id: "validate", onclick: validate }, "Validate"), runButton),
    result, progress);
}

function followRun(job, container) {
  const bar = progressBar(job);
  const text = h("div", { class: "progress-text", id: "progress-text" });
  const percent = h("span", { class: "small percent" });
  const line = h("div", { class: "run-follow", dataset: { run: job.id } },
    h("div", { class: "small" }, "run ", h("a", { href: `#/runs/${job.id}`, text: job.id })),
    h("div", { class: "progress-line" }, bar, percent), text);
  container.prepend(line);
  const show = (j) => {
    bar.className = `progress ${j.status}`;
    bar.firstChild.style.width = `${Math.round(100 * j.progress)}%`;
    bar.setAttribute("aria-valuenow", Math.round(100 * j.progress));
    percent.textContent = `${Math.round(100 * j.progress)} %`;
    text.replaceChildren(badge(j.status), " ", j.message || "");
    if (j.status === "done") {
      text.append(" · total cost ", h("strong", { text: musd(j.objective_usd) }), " ",
        h("button", { class: "primary", id: "see-results", onclick: () => go(`#/runs/${j.id}`) },
          "See the results"));
    }
    if (j.status === "failed") text.append(h("div", {}, problemsBox(
      { message: "the run failed", problems: (j.error || []).map((m) => ({ field: "", message: m })) })));
  };
  show(state.runs.get(job.id) || job);
  onRun((j) => { if (j.id === job.id) show(j); });
}

// ------------------------------------------------------------------ runs
async function runsPage() {
  const root = view();
  const jobs = await refreshRuns();
  const compare = h("button", { class: "primary", id: "compare-selected", onclick: () =>
    go(`#/compare?runs=${[...state.selected].join(",")}`) }, "Compare selected");
  const body = h("tbody", {});
  const render = () => {
    const all = [...state.runs.values()].sort((a, b) => (b.created || "").localeCompare(a.created || ""));
    body.replaceChildren(...all.map(runRow));
    compare.disabled = [...state.selected].filter((id) => state.runs.get(id)?.status === "done").length < 2;
  };
  root.replaceChildren(h("h1", { text: "Runs" }),
    h("p", { class: "muted", text: "Every run in the workdir, newest first; progress is " +
      "pushed live. Tick two or more finished runs to compare them." }),
    h("div", { class: "toolbar" }, compare),
    jobs.length ? h("div", { class: "scroll panel" }, h("table", { class: "data runs-table" },
      h("thead", {}, h("tr", {}, ["", "run", "model", "scenario", "status", "progress",
        "created", "total cost", ""].map((t) => h("th", { text: t })))), body))
      : h("div", { class: "empty" }, "No runs yet. ", h("a", { href: "#/models",
        text: "Pick a model and run it." })));
  onRun(render);
  render();
}

function runRow(job) {
  const box = h("input", { type: "checkbox", "aria-label": `select ${job.id}`,
    disabled: job.status !== "done", onchange: (e) => {
      if (e.target.checked) state.selected.add(job.id); else state.selected.delete(job.id);
      document.getElementById("compare-selected").disabled =
        [...state.selected].filter((id) => state.runs.get(id)?.status === "done").length < 2;
    } });
  box.checked = state.selected.has(job.id);
  const active = ["queued", "running"].includes(job.status);
  return h("tr", { dataset: { run: job.id } }, h("td", {}, box),
    h("td", { class: "id" }, h("a", { href: `#/runs/${job.id}`, text: job.id })),
    h("td", { text: job.model || "" }), h("td", { text: job.scenario || "" }),
    h("td", {}, badge(job.status)),
    h("td", {}, progressBar(job), h("div", { class: "progress-text", text: active ? job.message : "" })),
    h("td", { class: "small", text: when(job.created) }),
    h("td", { class: "num", text: musd(job.objective_usd) }),
    h("td", {}, active ? h("button", { class: "link", onclick: () => cancel(job.id) }, "cancel")
      : job.status === "done" ? h("a", { href: `/runs/${job.id}/report`, target: "_blank",
        text: "report" }) : null));
}

async function cancel(id) {
  try { setRun(await api(`/api/runs/${id}`, { method: "DELETE" })); }
  catch (error) { alert(error.message); }
}

// ------------------------------------------------------------------ one run
const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
  "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const SOURCE_COLOURS = { "storage discharge": "#8cd17d", "storage charge": "#8cd17d",
  imports: "#b6992d", exports: "#d4a6c8", unserved: "#e15759", gas: "#f28e2b",
  coal: "#79706e", solar: "#f1ce63", wind: "#86bcb6", oil: "#9d7660" };
const BASE_LAYOUT = { margin: { l: 60, r: 16, t: 10, b: 40 }, font: { size: 12,
  family: "system-ui, sans-serif" }, legend: { orientation: "h", y: -0.18 },
  hovermode: "x unified", paper_bgcolor: "white", plot_bgcolor: "white",
  xaxis: { gridcolor: "#eef1f4" }, yaxis: { gridcolor: "#eef1f4", zerolinecolor: "#999" } };

function layout(extra) {
  return { ...BASE_LAYOUT, ...extra, xaxis: { ...BASE_LAYOUT.xaxis, ...(extra.xaxis || {}) },
           yaxis: { ...BASE_LAYOUT.yaxis, ...(extra.yaxis || {}) } };
}

function winterShapes(times) {
  if (!times.length) return [];
  const first = new Date(times[0]), last = new Date(times[times.length - 1]);
  const shapes = [];
  for (let y = first.getUTCFullYear() - 1; y <= last.getUTCFullYear(); y++) {
    const a = new Date(Date.UTC(y, 9, 1)), b = new Date(Date.UTC(y + 1, 3, 1));
    if (b < first || a > last) continue;
    shapes.push({ type: "rect", xref: "x", yref: "paper", y0: 0, y1: 1, layer: "below",
      x0: (a < first ? first : a).toISOString(), x1: (b > last ? last : b).toISOString(),
      fillcolor: "#dfe8f3", opacity: 0.45, line: { width: 0 } });
  }
  return shapes;
}

function plot(el, traces, lay) {
  if (!window.Plotly) { el.textContent = "plotly did not load"; return; }
  Plotly.newPlot(el, traces, layout(lay), { responsive: true, displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"] });
}

function chartBox(id, title, ...controls) {
  return h("div", { class: "chart" }, h("h3", {}, title, ...controls),
    h("div", { class: "plot", id }));
}

function headlineCards(head) {
  const home = head.home_bus;
  const deficit = head.home_winter_deficit_gwh;
  const others = Object.entries(head.winter_deficit_gwh || {}).filter(([b]) => b !== home);
  const card = (label, value, note, kind) => h("div", { class: `card ${kind || ""}` },
    h("div", { class: "label", text: label }), h("div", { class: "value", text: value }),
    h("div", { class: "note" }, note));
  const short = head.downstream_shortage_hm3, asked = head.downstream_demanded_hm3;
  return h("div", { class: "cards", id: "headline" },
    card("Total cost", musd(head.total_cost_usd), "objective of the optimisation"),
    card(home ? `Winter deficit of ${home} (Oct–Mar)` : "Winter deficit (Oct–Mar)",
      home ? `${fmt(deficit, 0)} GWh` : "—",
      `unserved ${fmt(head.home_winter_unserved_gwh, 1)} GWh` + (others.length ?
        `; others: ${others.map(([b, v]) => `${b} ${fmt(v, 0)}`).join(", ")}` : ""),
      head.home_winter_unserved_gwh > 0.05 ? "bad" : ""),
    card("Exports to markets", `${fmt(head.exports_gwh, 0)} GWh`,
      `of which winter ${fmt(head.winter_exports_gwh, 0)} GWh`),
    card("Downstream shortage", `${fmt(short, 0)} hm³`, asked ?
      `${fmt(100 * short / asked, 1)} % of ${fmt(asked, 0)} hm³ demanded` : "no downstream demand",
      short > 0.5 ? "bad" : ""),
    card("Audit", head.audit_passed ? "passed" : "FAILED", "water and energy balances close",
      head.audit_passed ? "good" : "bad"));
}

function drawStorage(el, figures, only) {
  const s = figures.storage;
  const traces = s.reservoirs.filter((r) => !only || r.id === only).map((r, i) => ({
    x: s.time, y: r.storage, name: r.id, type: "scatter", mode: "lines",
    line: { width: 2, color: PALETTE[i % PALETTE.length] } }));
  plot(el, traces, { yaxis: { title: { text: "storage (hm³)" } }, shapes: winterShapes(s.time) });
}

function drawGeneration(el, figures, bus) {
  const g = figures.generation.buses.find((b) => b.bus === bus) || figures.generation.buses[0];
  if (!g) { el.textContent = "no buses"; return; }
  let hydro = 0;
  const traces = g.sources.map((s) => {
    const isHydro = s.name.startsWith("hydro");
    const colour = isHydro ? ["#1f4e79", "#4e79a7", "#7ba3cc", "#a0cbe8"][hydro++ % 4]
      : SOURCE_COLOURS[s.name] || PALETTE[(hydro + 5) % PALETTE.length];
    return { x: g.months, y: s.values, name: s.name.replace("hydro: ", ""), type: "bar",
      marker: { color: colour } };
  });
  traces.push({ x: g.months, y: g.load, name: "load", type: "scatter", mode: "lines+markers",
    line: { color: "#222", width: 2, shape: "hv" } });
  plot(el, traces, { barmode: "relative", yaxis: { title: { text: "GWh per month" } } });
}

function drawDeficit(el, figures) {
  const w = figures.winter_deficit;
  plot(el, [
    { x: w.buses, y: w.unserved, name: "unserved", type: "bar", marker: { color: "#e15759" } },
    { x: w.buses, y: w.net_imports, name: "net imports", type: "bar", marker: { color: "#b6992d" } },
    { x: w.buses, y: w.deficit, name: "deficit", type: "scatter", mode: "markers",
      marker: { color: "#222", size: 10, symbol: "diamond" } },
  ], { barmode: "relative", hovermode: "closest",
       yaxis: { title: { text: "GWh over October–March" } } });
}

function drawPrices(el, figures) {
  const p = figures.prices;
  const traces = p.buses.map((b, i) => ({ x: p.time, y: b.price, name: b.id, type: "scatter",
    mode: "lines", line: { width: 1.6, color: PALETTE[i % PALETTE.length] } }));
  for (const m of p.markets) traces.push({ x: p.time, y: m.price, name: `market ${m.id}`,
    type: "scatter", mode: "lines", line: { width: 1.2, dash: "dash", color: "#666" } });
  plot(el, traces, { yaxis: { title: { text: "USD/MWh" } }, shapes: winterShapes(p.time) });
}

function drawCosts(el, figures) {
  const c = figures.costs;
  const pairs = c.kinds.map((k, i) => [k.replace(/_/g, " "), c.usd[i] / 1e6])
    .filter(([, v]) => Math.abs(v) > 1e-6);
  plot(el, [{ y: pairs.map(([k]) => k), x: pairs.map(([, v]) => v), type: "bar",
    orientation: "h", marker: { color: pairs.map(([, v]) => v < 0 ? "#59a14f" : "#4e79a7") },
    hovertemplate: "%{y}: %{x:,.2f} M USD<extra></extra>" }],
  { hovermode: "closest", margin: { l: 150, r: 16, t: 10, b: 40 }, showlegend: false,
    xaxis: { title: { text: "M USD (negative: revenue)" } }, yaxis: { automargin: true } });
}

async function runPage(id) {
  const root = view();
  const job = await api(`/api/runs/${encodeURIComponent(id)}`);
  setRun(job);
  const header = h("div", {},
    h("div", { class: "crumbs" }, h("a", { href: "#/runs", text: "Runs" }), " / ", id),
    h("h1", { text: `${job.model || "run"}${job.scenario ? " / " + job.scenario : ""}` }, " ",
      badge(job.status)),
    h("p", { class: "small muted" }, `run ${id} · created ${when(job.created)}`,
      job.finished ? ` · finished ${when(job.finished)}` : "",
      Object.keys(job.request?.set || {}).length ? ` · set ${Object.entries(job.request.set)
        .map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")}` : ""));
  root.replaceChildren(header);
  if (job.status !== "done") {
    const box = h("div", { class: "panel" });
    root.append(box);
    followRun(job, box);
    onRun((j) => { if (j.id === id && j.status === "done") route(); });
    if (["queued", "running"].includes(job.status))
      box.append(h("div", { class: "actions" }, h("button", { onclick: () => cancel(id) },
        "Cancel this run")));
    return;
  }
  root.append(h("div", { class: "actions", style: "margin-top:0" },
    h("a", { href: `/runs/${id}/report`, target: "_blank" }, "report.html"), " · ",
    h("a", { href: `/api/runs/${id}/summary`, target: "_blank" }, "summary.json"), " · ",
    h("a", { href: `/api/runs/${id}/results` }, "results.nc")));
  const figures = await api(`/api/runs/${encodeURIComponent(id)}/figures`);
  const tabs = h("div", { class: "tabs2" });
  const body = h("div", {});
  root.append(headlineCards(figures.headline), tabs, body);
  const charts = () => {
    const resSelect = h("select", { id: "storage-pick" }, h("option", { value: "", text: "all reservoirs" }),
      figures.storage.reservoirs.map((r) => h("option", { value: r.id, text: r.id })));
    const busSelect = h("select", { id: "generation-pick" },
      figures.generation.buses.map((b) => h("option", { value: b.bus, text: `bus ${b.bus}` })));
    body.replaceChildren(h("div", { class: "charts" },
      chartBox("chart-storage", "Reservoir storage", resSelect),
      chartBox("chart-generation", "Generation by month", busSelect),
      chartBox("chart-deficit", "Winter deficit by bus"),
      chartBox("chart-prices", "Electricity prices"),
      chartBox("chart-costs", "Costs by kind")));
    drawStorage(document.getElementById("chart-storage"), figures);
    drawGeneration(document.getElementById("chart-generation"), figures, busSelect.value);
    drawDeficit(document.getElementById("chart-deficit"), figures);
    drawPrices(document.getElementById("chart-prices"), figures);
    drawCosts(document.getElementById("chart-costs"), figures);
    resSelect.addEventListener("change", () =>
      drawStorage(document.getElementById("chart-storage"), figures, resSelect.value));
    busSelect.addEventListener("change", () =>
      drawGeneration(document.getElementById("chart-generation"), figures, busSelect.value));
  };
  const report = () => body.replaceChildren(h("iframe", { class: "report", id: "report-frame",
    src: `/runs/${id}/report`, title: "report.html" }));
  const pages = [["Charts", charts], ["Full report", report]];
  for (const [label, show] of pages) {
    const b = h("button", { dataset: { tab: label }, onclick: () => {
      tabs.querySelectorAll("button").forEach((x) => x.classList.remove("active"));
      b.classList.add("active"); show(); } }, label);
    tabs.append(b);
  }
  tabs.firstChild.classList.add("active");
  charts();
}

// ------------------------------------------------------------------ compare
async function comparePage(ids) {
  const root = view();
  await refreshRuns();
  const done = [...state.runs.values()].filter((j) => j.status === "done")
    .sort((a, b) => (b.created || "").localeCompare(a.created || ""));
  const chosen = new Set(ids);
  const picker = h("div", { class: "pick", id: "compare-pick" }, done.map((j) => {
    const box = h("input", { type: "checkbox", value: j.id });
    box.checked = chosen.has(j.id);
    return h("label", {}, box, `${j.id}`, h("span", { class: "muted small",
      text: ` ${musd(j.objective_usd)}` }));
  }));
  root.replaceChildren(h("h1", { text: "Compare runs" }),
    h("section", { class: "panel" }, h("p", { class: "small muted", style: "margin-top:0",
      text: "Tick two or more finished runs." }), picker,
    h("div", { class: "actions" }, h("button", { class: "primary", id: "compare-go", onclick: () => {
      const picked = [...picker.querySelectorAll("input:checked")].map((b) => b.value);
      go(`#/compare?runs=${picked.join(",")}`);
    } }, "Compare"))));
  if (ids.length < 2) {
    if (done.length < 2) root.append(h("div", { class: "empty", text: "Two finished runs are " +
      "needed; run a model twice (e.g. two scenarios) first." }));
    return;
  }
  const query = ids.map((i) => `runs=${encodeURIComponent(i)}`).join("&");
  const [table, ...figures] = await Promise.all([api(`/api/compare?${query}`),
    ...ids.map((i) => api(`/api/runs/${encodeURIComponent(i)}/figures`))]);
  // short names for legends: the scenario and the run's last four characters
  const names = ids.map((id, i) => {
    const job = state.runs.get(id);
    return `${job?.scenario || job?.model || "run"} · ${id.slice(-4)}`;
  });
  root.append(h("section", { class: "panel scroll" },
    h("h2", { style: "margin-top:0" }, "Key metrics ", h("a", { class: "small",
      href: `/compare?${query}`, target: "_blank", text: "(full comparison page)" })),
    h("table", { class: "data", id: "compare-table" },
      h("thead", {}, h("tr", {}, h("th", { text: "metric" }), table.runs.map((n, i) =>
        h("th", { class: "num", title: names[i], text: n })))),
      h("tbody", {}, table.metrics.map((m, r) => h("tr", {}, h("td", { text: m }),
        table.values[r].map((v) => h("td", { class: "num", text: fmt(v) }))))))));
  const reservoirs = [...new Set(figures.flatMap((f) => f.storage.reservoirs.map((r) => r.id)))];
  const resSelect = h("select", { id: "compare-storage-pick" },
    reservoirs.map((r) => h("option", { value: r, text: r })));
  root.append(h("div", { class: "charts" },
    chartBox("compare-deficit", "Winter deficit by bus"),
    chartBox("compare-storage", "Reservoir storage", resSelect),
    chartBox("compare-hydro", "Hydro generation by month, all buses"),
    chartBox("compare-cost", "Total cost")));
  const buses = [...new Set(figures.flatMap((f) => f.winter_deficit.buses))];
  plot(document.getElementById("compare-deficit"), figures.map((f, i) => ({
    x: buses, y: buses.map((b) => f.winter_deficit.deficit[f.winter_deficit.buses.indexOf(b)] ?? 0),
    name: names[i], type: "bar", marker: { color: PALETTE[i % PALETTE.length] } })),
  { barmode: "group", hovermode: "closest", yaxis: { title: { text: "GWh over October–March" } } });
  const storage = () => plot(document.getElementById("compare-storage"), figures.map((f, i) => {
    const r = f.storage.reservoirs.find((x) => x.id === resSelect.value);
    return { x: f.storage.time, y: r ? r.storage : [], name: names[i], type: "scatter",
      mode: "lines", line: { width: 2, color: PALETTE[i % PALETTE.length], dash: i > 3 ? "dot" : "solid" } };
  }), { yaxis: { title: { text: "storage (hm³)" } }, shapes: winterShapes(figures[0].storage.time) });
  storage();
  resSelect.addEventListener("change", storage);
  plot(document.getElementById("compare-hydro"), figures.map((f, i) => {
    const months = f.generation.buses[0]?.months || [];
    const total = months.map((_, k) => f.generation.buses.reduce((sum, b) => sum +
      b.sources.filter((s) => s.name.startsWith("hydro")).reduce((a, s) => a + (s.values[k] || 0), 0), 0));
    return { x: months, y: total, name: names[i], type: "scatter", mode: "lines+markers",
      line: { width: 2, color: PALETTE[i % PALETTE.length] } };
  }), { yaxis: { title: { text: "GWh per month" } } });
  plot(document.getElementById("compare-cost"), [{ x: names, y: figures.map((f) =>
    f.headline.total_cost_usd / 1e6), type: "bar", marker: { color: names.map((_, i) =>
    PALETTE[i % PALETTE.length]) }, name: "total cost" }],
  { hovermode: "closest", yaxis: { title: { text: "M USD" } }, showlegend: false });
}

// ------------------------------------------------------------------ other outputs
async function outputsPage() {
  const root = view();
  const outputs = await api("/api/outputs");
  root.replaceChildren(h("h1", { text: "Ensembles, plans and SDDP runs" }),
    h("p", { class: "muted" }, "Output folders of ", h("code", { text: "vakhsh ensemble" }), ", ",
      h("code", { text: "vakhsh plan" }), " and ", h("code", { text: "vakhsh sddp" }),
      " written into this server's workdir (e.g. ", h("code", { text: "--out WORKDIR/plans/dry" }),
      "), read from their folders."),
    outputs.length ? h("div", { class: "panel scroll" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, ["kind", "folder", "files", ""].map((t) => h("th", { text: t })))),
      h("tbody", {}, outputs.map((o) => h("tr", {}, h("td", {}, badge(o.kind)),
        h("td", {}, h("a", { href: `#/outputs/${o.id}`, text: o.id })),
        h("td", { class: "small", text: o.files.join(", ") }),
        h("td", {}, o.report ? h("a", { href: `/outputs/${o.id}/report`, target: "_blank",
          text: "report" }) : null))))))
      : h("div", { class: "empty", text: "None in the workdir yet." }));
}

async function outputPage(id) {
  const root = view();
  const detail = await api(`/api/outputs/${id}/detail`);
  root.replaceChildren(
    h("div", { class: "crumbs" }, h("a", { href: "#/outputs", text: "Outputs" }), " / ", id),
    h("h1", { text: detail.name }, " ", badge(detail.kind)),
    // the report first (the plan's ranking and build-out as charts), the raw files after
    detail.report ? h("iframe", { class: "report", src: `/outputs/${id}/report`,
      title: "report.html" }) : null,
    detail.tables.map((t) => h("section", { class: "panel scroll" },
      h("h2", { style: "margin-top:0", text: t.name }),
      h("table", { class: "data" }, h("thead", {}, h("tr", {}, t.columns.map((c) =>
        h("th", { text: c })))), h("tbody", {}, t.rows.map((r) => h("tr", {}, r.map((v) => {
        const n = Number(v);
        return h("td", { class: v !== "" && !Number.isNaN(n) ? "num" : "",
          text: v !== "" && !Number.isNaN(n) ? fmt(n) : v });
      }))))), t.truncated ? h("p", { class: "small muted", text: "first rows only" }) : null)));
}

// ------------------------------------------------------------------ start
window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => {
  connectEvents();
  refreshRuns().catch(() => {});
  route();
});
