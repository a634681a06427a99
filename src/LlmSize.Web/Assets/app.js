// The LlmSize page: choose a model (catalog, Hub id, or local files read header-only), see what it is, probe this
// browser and get a verdict. All numbers come from the server's API; this file only asks and renders.
import { probe } from "./probe.js";
import { inspectFiles } from "./header.js";
import { drawFitChart } from "./chart.js";

const $ = id => document.getElementById(id);
let current = null; // { model: name for fit/probe (catalog or Hub id), answer }

function status(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function cell(text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function row(...cells) {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
}

const bytes = n => n == null ? "—" : Number(n).toLocaleString("en-US") + " B";
const gb = n => n == null ? "—" : (n / 1e9).toFixed(2) + " GB";
const gib = n => n == null ? "—" : (n / 2 ** 30).toFixed(2) + " GiB";

async function api(path, init) {
  const response = await fetch(path, init);
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail ?? body.title ?? response.statusText);
  return body;
}

function showInspect(answer, modelName) {
  current = { model: modelName, answer };
  $("inspect").hidden = false;
  const facts = $("facts");
  facts.replaceChildren();
  const add = (k, v) => { if (v == null || v === "") return; const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v; facts.append(dt, dd); };
  add("model", answer.name ?? answer.source);
  add("format", answer.format);
  add("parameters", answer.parameters == null ? "not disclosed" : Number(answer.parameters).toLocaleString("en-US") + ` (${answer.parameterSource})`);
  add("active per token", answer.activeParameters && answer.activeParameters !== answer.parameters ? Number(answer.activeParameters).toLocaleString("en-US") : null);
  add("size class", answer.sizeClass);
  add("scale", answer.scale);
  add("name analysis", answer.nameAgreement ?? (answer.family ? `family ${answer.family}` : null));
  add("download", answer.downloadBytes == null ? null : `${bytes(answer.downloadBytes)} (${gb(answer.downloadBytes)}, ${gib(answer.downloadBytes)})`);
  add("posted", answer.postedBytes == null ? null : `${bytes(answer.postedBytes)} of headers (the weights stayed on this device)`);
  add("read from", answer.origin);
  const tbody = $("precisions").tBodies[0];
  tbody.replaceChildren(...answer.downloadByPrecision.map(p => row(cell(p.precision), cell(p.bitsPerWeight, "num"), cell(bytes(p.bytes), "num"), cell(gb(p.bytes), "num"))));
  $("chart").replaceChildren();
  if (modelName) drawChart(modelName);
}

async function drawChart(model) {
  try {
    const answers = await api("/api/fit", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model }) });
    drawFitChart($("chart"), answers);
  } catch (e) {
    $("chart").textContent = "no memory chart: " + e.message;
  }
}

async function inspectName(name) {
  if (!name) return;
  status(`inspecting ${name}…`);
  try {
    showInspect(await api("/api/inspect?model=" + encodeURIComponent(name)), name);
    status(`inspected ${name}`);
  } catch (e) {
    status(e.message, true);
  }
}

async function inspectLocal(files) {
  if (!files.length) return;
  status("reading headers…");
  try {
    const { response, body, posted } = await inspectFiles("/api/inspect/upload", [...files], status);
    if (!response.ok) throw new Error(body.detail ?? body.title);
    showInspect(body, null);
    status(`inspected ${files.length} file(s) from ${posted.toLocaleString("en-US")} bytes of headers`);
  } catch (e) {
    status(e.message, true);
  }
}

async function runProbe() {
  const model = current?.model || $("model").value;
  status("probing this browser…");
  try {
    const result = await probe({ measure: $("measure").checked });
    const verdict = await api("/api/probe/verdict", {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model, probe: result }),
    });
    $("verdict").hidden = false;
    $("choice").textContent = `${verdict.choice}: ${verdict.reason}`;
    $("choice").dataset.choice = verdict.choice;
    $("values").tBodies[0].replaceChildren(...verdict.values.map(v => row(cell(v.name), cell(v.value), cell(v.basis), cell(v.note))),
      ...verdict.notes.map(n => row(cell("limit"), cell(""), cell(""), cell(n))));
    $("variants").tBodies[0].replaceChildren(...verdict.variants.map(v => row(cell(v.runtime), cell(v.format), cell(v.target),
      cell(gb(v.downloadBytes), "num"), cell(gib(v.memoryBytes), "num"),
      cell(v.fits ? (v.tight ? "fits (tight)" : "fits") : v.failing.join("; "), v.fits ? "fits" : "nofit"))));
    $("builtin").replaceChildren(...verdict.builtInAi.checks.map(c => { const li = document.createElement("li"); li.textContent = `${c.status}: ${c.requirement} — ${c.evidence}`; return li; }));
    const src = document.createElement("li"); const a = document.createElement("a"); a.href = verdict.builtInAi.source; a.textContent = "requirements (Google)"; src.append(a);
    $("builtin").append(src);
    status(`probed in ${result.elapsedMs} ms; verdict for ${model}`);
  } catch (e) {
    status(e.message, true);
  }
}

async function init() {
  try {
    const models = await api("/api/models");
    $("model").replaceChildren(...models.filter(m => m.disclosed).map(m => {
      const o = document.createElement("option");
      o.value = m.id;
      o.textContent = `${m.name} (${m.sizeClass ?? "?"})`;
      return o;
    }));
    $("model").value = models.some(m => m.id === "qwen2.5-0.5b") ? "qwen2.5-0.5b" : models[0]?.id;
    status("ready");
  } catch (e) {
    status("could not load the catalog: " + e.message, true);
  }
  $("inspect-catalog").addEventListener("click", () => inspectName($("model").value));
  $("inspect-hub").addEventListener("click", () => inspectName($("hub").value.trim()));
  $("file").addEventListener("change", e => inspectLocal(e.target.files));
  $("folder").addEventListener("change", e => inspectLocal(e.target.files));
  $("probe").addEventListener("click", runProbe);
  document.body.dataset.ready = "true";
}

init();
