// A plain SVG bar chart: memory a model needs on each catalog device against that device's budget (no library).

const SVG = "http://www.w3.org/2000/svg";
const GiB = 2 ** 30;

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Draws one row per fit answer (the API's /api/fit without a device): budget bar, needed bar, label. */
export function drawFitChart(container, answers) {
  container.replaceChildren();
  const rows = answers.map(a => {
    const v = a.best ?? a.requested;
    return { name: a.deviceName, need: v.totalBytes, budget: v.budgetBytes, fits: v.fits, label: `${v.format} (${a.runtime})` };
  });
  const max = Math.max(...rows.map(r => Math.max(r.need, r.budget)), 1);
  const rowH = 16, left = 230, width = 420, top = 20;
  const svg = el("svg", { width: left + width + 140, height: top + rows.length * rowH + 10, role: "img", "aria-label": "memory needed vs budget" });
  svg.append(el("text", { x: left, y: 12 }, `memory needed (estimate) vs memory allowed, GiB; scale 0 … ${(max / GiB).toFixed(1)} GiB`));
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    svg.append(el("text", { x: 0, y: y + 11 }, r.name));
    svg.append(el("rect", { class: "budget", x: left, y, width: Math.max(1, r.budget / max * width), height: rowH - 4 }));
    svg.append(el("rect", { class: r.fits ? "need" : "over", x: left, y: y + 3, width: Math.max(1, r.need / max * width), height: rowH - 10 }));
    svg.append(el("text", { x: left + width + 6, y: y + 11 }, `${(r.need / GiB).toFixed(2)} / ${(r.budget / GiB).toFixed(2)} ${r.label}`));
  });
  container.append(svg);
}
