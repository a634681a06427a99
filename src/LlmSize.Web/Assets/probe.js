// LlmSize probe: what this browser really exposes for running a model, and which variant of a model to load.
// No dependencies. Exports probe() and chooseVariant(manifest, probeResult). Served by `llmsize serve` at /probe.js.

const GiB = 2 ** 30;
// WebGPU spec defaults a device gets unless it asks for more (maxBufferSize 256 MiB, maxStorageBufferBindingSize 128 MiB).
const SPEC_MAX_BUFFER = 268435456;
const SPEC_MAX_BINDING = 134217728;
// wasm32: 65,536 pages of 64 KiB = 4 GiB of linear memory at most.
const WASM32_BYTES = 4 * GiB;
// iOS / iPadOS Safari kills a tab near 1.5 GB (web-llm #753): an estimate, not a published limit.
const IOS_TAB_BYTES = 1.5e9;
// Tab share of RAM when only navigator.deviceMemory is known: the catalog's phone rule RAM − max(2 GiB, 35%) gives
// 0.65 of RAM from 6 GiB up (llmsize's devices.json); used only when the manifest names no budget.
const TAB_SHARE = 0.65;

/**
 * Probes the browser. Fast without measurements (no allocation, no download); with `measure: true` also the largest
 * WebGPU buffer it can allocate, the largest wasm memory it can grow, and download throughput from `downloadUrl`.
 * Every number is reported with how it is known in `basis`: "reported", "browser-rounded" (a lower bound),
 * "measured" or "unknown". No WebGPU is an answer (`webGpu: null`, the wasm path), not an error.
 * @param {{measure?: boolean, downloadUrl?: string, downloadBytes?: number, wasmLimitBytes?: number, timeoutMs?: number}} [options]
 */
export async function probe(options = {}) {
  const started = performance.now();
  const nav = globalThis.navigator ?? {};
  const result = {
    schema: "llmsize.probe/v1",
    userAgent: nav.userAgent ?? null,
    platform: null, mobile: null, model: null, architecture: null, formFactor: null,
    deviceMemoryGiB: typeof nav.deviceMemory === "number" ? nav.deviceMemory : null,
    hardwareConcurrency: typeof nav.hardwareConcurrency === "number" ? nav.hardwareConcurrency : null,
    webGpu: null,
    storageQuotaBytes: null, storageUsageBytes: null, storagePersisted: null,
    downlinkMbps: null, saveData: null,
    measuredDownloadMbps: null, wasmMaxMemoryBytes: null,
    builtInAi: { present: false, availability: null },
    secureContext: globalThis.isSecureContext === true,
    basis: {},
    notes: [],
    elapsedMs: 0,
  };
  const basis = result.basis;
  basis.deviceMemoryGiB = result.deviceMemoryGiB === null ? "unknown" : "browser-rounded";
  basis.hardwareConcurrency = result.hardwareConcurrency === null ? "unknown" : "reported";

  const tasks = [];
  if (nav.userAgentData) {
    result.platform = nav.userAgentData.platform || null;
    result.mobile = nav.userAgentData.mobile ?? null;
    tasks.push(nav.userAgentData.getHighEntropyValues?.(["model", "platform", "architecture", "formFactors"]).then(h => {
      result.model = h.model || null;
      result.platform = h.platform || result.platform;
      result.architecture = h.architecture || null;
      result.formFactor = Array.isArray(h.formFactors) ? h.formFactors.join(",") : null;
    }).catch(() => {}));
  }
  basis.clientHints = nav.userAgentData ? "reported" : "unknown";

  if (nav.storage?.estimate) {
    tasks.push(nav.storage.estimate().then(e => {
      result.storageQuotaBytes = e.quota ?? null;
      result.storageUsageBytes = e.usage ?? null;
      basis.storage = "reported";
    }).catch(() => { basis.storage = "unknown"; }));
    tasks.push(nav.storage.persisted?.().then(p => { result.storagePersisted = p; }).catch(() => {}));
  } else {
    basis.storage = "unknown";
  }

  if (nav.connection) {
    result.downlinkMbps = nav.connection.downlink ?? null;
    result.saveData = nav.connection.saveData ?? null;
    basis.downlinkMbps = "browser-rounded"; // Chrome caps downlink at 10 Mbps: a lower bound
  } else {
    basis.downlinkMbps = "unknown";
  }

  tasks.push(probeWebGpu(result, options));
  tasks.push(probeBuiltInAi(result));
  await Promise.all(tasks);

  if (options.measure) {
    result.wasmMaxMemoryBytes = measureWasm(options.wasmLimitBytes ?? WASM32_BYTES);
    basis.wasmMaxMemoryBytes = "measured";
    if (options.downloadUrl !== null) {
      result.measuredDownloadMbps = await measureDownload(options.downloadUrl ?? new URL("api/probe/download?bytes=" + (options.downloadBytes ?? 1048576), import.meta.url).href,
        options.timeoutMs ?? 1500);
      basis.measuredDownloadMbps = result.measuredDownloadMbps === null ? "unknown" : "measured";
    }
  }

  result.elapsedMs = Math.round(performance.now() - started);
  return result;
}

async function probeWebGpu(result, options) {
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) {
    result.notes.push(globalThis.isSecureContext ? "navigator.gpu is absent: no WebGPU (wasm path)" : "not a secure context: navigator.gpu needs https or http://127.0.0.1");
    result.basis.webGpu = "reported";
    return;
  }
  let adapter = null;
  try { adapter = await gpu.requestAdapter(); } catch { adapter = null; }
  if (!adapter) {
    result.notes.push("navigator.gpu gave no adapter: no WebGPU (wasm path)");
    result.basis.webGpu = "reported";
    return;
  }
  const info = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo().catch(() => ({})) : {});
  const w = {
    vendor: info.vendor || null, architecture: info.architecture || null, description: info.description || null,
    adapterMaxBufferSize: adapter.limits.maxBufferSize, adapterMaxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    grantedMaxBufferSize: 0, grantedMaxStorageBufferBindingSize: 0,
    features: [...adapter.features].sort(),
    measuredMaxBufferBytes: null,
  };
  result.webGpu = w;
  result.basis.webGpu = "reported";
  let device = null;
  try {
    // Ask for everything the adapter offers: a default device gets only the spec minimums.
    device = await adapter.requestDevice({
      requiredLimits: { maxBufferSize: w.adapterMaxBufferSize, maxStorageBufferBindingSize: w.adapterMaxStorageBufferBindingSize },
    });
    w.grantedMaxBufferSize = device.limits.maxBufferSize;
    w.grantedMaxStorageBufferBindingSize = device.limits.maxStorageBufferBindingSize;
    if (options.measure) {
      w.measuredMaxBufferBytes = await measureLargestBuffer(device, w.grantedMaxBufferSize, options.timeoutMs ?? 1500);
    }
  } catch (e) {
    result.notes.push("requestDevice with the adapter's limits failed (" + (e?.message ?? e) + "): the spec defaults apply");
    w.grantedMaxBufferSize = SPEC_MAX_BUFFER;
    w.grantedMaxStorageBufferBindingSize = SPEC_MAX_BINDING;
  } finally {
    device?.destroy();
  }
}

async function measureLargestBuffer(device, max, timeoutMs) {
  // Halve from the granted maximum until an allocation succeeds (out-of-memory error scope), within the time budget.
  const deadline = performance.now() + timeoutMs;
  for (let size = max; size >= SPEC_MAX_BINDING && performance.now() < deadline; size = Math.floor(size / 2)) {
    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    const buffer = device.createBuffer({ size: size - (size % 4), usage: GPUBufferUsage.STORAGE });
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    buffer.destroy();
    if (!validation && !oom) return size - (size % 4);
  }
  return null;
}

function measureWasm(limit) {
  // Grow one memory in 256 MiB steps (4096 pages) until it fails or reaches the limit; the pages are not touched.
  const step = 4096;
  const maxPages = Math.min(65536, Math.floor(limit / 65536));
  let memory;
  try { memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages }); } catch { return null; }
  let pages = 1;
  while (pages < maxPages) {
    const grow = Math.min(step, maxPages - pages);
    try { memory.grow(grow); pages += grow; } catch { break; }
  }
  return pages * 65536;
}

async function measureDownload(url, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const t0 = performance.now();
    const response = await fetch(url, { cache: "no-store", signal: controller.signal });
    const bytes = (await response.arrayBuffer()).byteLength;
    const seconds = (performance.now() - t0) / 1000;
    return seconds > 0 ? Math.round(bytes * 8 / seconds / 1e4) / 100 : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function probeBuiltInAi(result) {
  const lm = globalThis.LanguageModel;
  if (!lm?.availability) return;
  result.builtInAi.present = true;
  try { result.builtInAi.availability = await lm.availability(); } catch { result.builtInAi.availability = "unavailable"; }
}

/**
 * Picks a variant of `manifest` (written by `llmsize manifest`) for `probeResult` (from probe()), client-side, with the
 * reason: walks `manifest.fallback` (WebGPU → wasm → built-in AI → server) and, within a step, the variants in the
 * manifest's order (best first); a variant is rejected for the first requirement the probe shows unmet.
 * Unknown numbers do not reject (the reason says they were unknown).
 * @returns {{choice: string, variant: object|null, reason: string, rejected: {id: string, reason: string}[]}}
 */
export function chooseVariant(manifest, probeResult) {
  const p = probeResult ?? {};
  const rejected = [];
  const unknowns = new Set();
  const ios = /iPhone|iPad/.test(p.userAgent ?? "") || p.platform === "iOS";
  const memoryBudget = p.deviceMemoryGiB ? Math.min(p.deviceMemoryGiB * GiB * (manifest.tabShareOfRam ?? TAB_SHARE), ios ? IOS_TAB_BYTES : Infinity)
    : (ios ? IOS_TAB_BYTES : null);
  const storage = p.storageQuotaBytes != null ? p.storageQuotaBytes - (p.storageUsageBytes ?? 0) : null;

  const why = v => {
    if (memoryBudget === null) unknowns.add("memory");
    else if (v.memoryBytes > memoryBudget) return `needs ${fmt(v.memoryBytes)} of memory; this tab has about ${fmt(memoryBudget)}`;
    if (storage === null) unknowns.add("storage quota");
    else if (v.downloadBytes > storage) return `download ${fmt(v.downloadBytes)} exceeds the origin's storage left ${fmt(storage)}`;
    if (v.target === "webgpu") {
      const g = p.webGpu;
      if (!g) return "no WebGPU in this browser";
      if (v.shaderF16 && !(g.features ?? []).includes("shader-f16")) return "needs shader-f16, which this adapter lacks";
      const binding = Math.min(g.grantedMaxStorageBufferBindingSize || SPEC_MAX_BINDING, g.measuredMaxBufferBytes ?? Infinity);
      const buffer = Math.min(g.grantedMaxBufferSize || SPEC_MAX_BUFFER, g.measuredMaxBufferBytes ?? Infinity);
      if (v.largestBufferBytes > Math.min(binding, buffer)) {
        return `largest tensor ${fmt(v.largestBufferBytes)} exceeds the granted binding size ${fmt(Math.min(binding, buffer))}`;
      }
    } else if (v.target === "wasm") {
      const wasmLimit = Math.min(WASM32_BYTES, p.wasmMaxMemoryBytes ?? WASM32_BYTES);
      if (v.memoryBytes > wasmLimit) return `needs ${fmt(v.memoryBytes)}; wasm memory is at most ${fmt(wasmLimit)}`;
    }
    return null;
  };

  for (const step of manifest.fallback ?? ["webgpu", "wasm", "builtin-ai", "server"]) {
    if (step === "webgpu" || step === "wasm") {
      for (const v of (manifest.variants ?? []).filter(x => x.target === step)) {
        const reason = why(v);
        if (reason === null) {
          const unknown = unknowns.size ? ` (${[...unknowns].join(", ")} unknown in this browser: not checked)` : "";
          return { choice: step, variant: v, reason: `${v.id} fits on ${step === "webgpu" ? "WebGPU" : "wasm"}${unknown}`, rejected };
        }
        rejected.push({ id: v.id, reason });
      }
    } else if (step === "builtin-ai") {
      const a = p.builtInAi?.availability;
      if (a && a !== "unavailable") {
        return { choice: "builtin-ai", variant: null, reason: `Chrome's built-in AI is ${a} (a different model, no download by this page)`, rejected };
      }
      rejected.push({ id: "builtin-ai", reason: p.builtInAi?.present ? `built-in AI reports '${a}'` : "no built-in AI (LanguageModel) in this browser" });
    } else if (step === "server") {
      return { choice: "server", variant: null, reason: "no variant runs in this browser; use a server", rejected };
    }
  }
  return { choice: "none", variant: null, reason: "the manifest's fallback chain ended without a choice", rejected };
}

function fmt(bytes) {
  return bytes >= GiB ? (bytes / GiB).toFixed(2) + " GiB" : (bytes / 2 ** 20).toFixed(0) + " MiB";
}
