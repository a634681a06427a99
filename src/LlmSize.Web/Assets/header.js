// Header slices of local model files: File.slice in the browser, so only headers are posted, never the weights.

const MiB = 2 ** 20;
/** First slice for formats whose header end is not known up front (GGUF); grown on the server's IncompleteHeader answer. */
export const FIRST_SLICE = 256 * 1024;
/** Largest slice posted (the server's upload limit). */
export const MAX_SLICE = 32 * MiB;
/** JSON side files (config.json, indexes, adapter_config.json) are posted whole up to this size. */
const MAX_JSON = 4 * MiB;

/** The relative path of a picked file (folder picks carry webkitRelativePath "folder/sub/file"). */
export function relativePath(file) {
  const rel = file.webkitRelativePath || file.name;
  const parts = rel.split("/");
  return parts.length > 1 ? parts.slice(1).join("/") : rel;
}

/** How many bytes of `file` to post first, or 0 when the file is not needed for a header read. */
export async function firstSliceLength(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith(".safetensors")) {
    // safetensors: an 8-byte little-endian header length N, then N bytes of JSON: post exactly 8 + N.
    const head = new DataView(await file.slice(0, 8).arrayBuffer());
    if (head.byteLength < 8) return file.size;
    const n = Number(head.getBigUint64(0, true));
    return Math.min(file.size, 8 + n);
  }
  if (name.endsWith(".gguf")) return Math.min(file.size, FIRST_SLICE);
  if (name.endsWith(".json")) return file.size <= MAX_JSON ? file.size : 0;
  if (name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth")) return Math.min(file.size, FIRST_SLICE);
  return 0;
}

/**
 * Posts header slices of `files` to `url` (multipart: one part per file named by its relative path, and a field
 * `length:<path>` with the real size) and grows a slice when the server answers 422 IncompleteHeader.
 * @returns {Promise<{response: Response, body: any, posted: number}>}
 */
export async function inspectFiles(url, files, onProgress = () => {}) {
  const slices = new Map();
  for (const f of files) {
    const n = await firstSliceLength(f);
    if (n > 0) slices.set(relativePath(f), { file: f, length: n });
  }
  if (slices.size === 0) throw new Error("none of the chosen files is a model file LlmSize reads from its header");
  for (let attempt = 0; attempt < 12; attempt++) {
    const form = new FormData();
    let posted = 0;
    for (const [path, s] of slices) {
      form.append("file", s.file.slice(0, s.length), path);
      form.append("length:" + path, String(s.file.size));
      posted += s.length;
    }
    onProgress(`posting ${posted.toLocaleString()} bytes of headers`);
    const response = await fetch(url, { method: "POST", body: form });
    const body = await response.json();
    if (response.status === 422 && body.kind === "IncompleteHeader") {
      const path = String(body.file ?? "").replace(/^upload\//, "");
      const s = slices.get(path);
      if (!s || s.length >= s.file.size || s.length >= MAX_SLICE) return { response, body, posted };
      s.length = Math.min(s.file.size, MAX_SLICE, Math.max(body.neededBytes + 64 * 1024, s.length * 2));
      continue;
    }
    return { response, body, posted };
  }
  throw new Error("the header did not fit in the largest slice");
}
