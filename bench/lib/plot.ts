// Draws the bench's charts as standalone SVG (no network, no dependencies): the saturate
// curves (end-to-end p99 on a log scale, as it spans 1 ms to seconds, and CPU per frame
// against camera count, one line per target, the median window as the point and the other
// windows as a whisker, missed steps hollow, the 5 ms criterion dashed) and stacked bars
// (user and kernel CPU per frame of each server). bench/lib/resultPlots.ts feeds them from
// the saved JSON.

interface Point {
  x: number;
  y: number;
  /** Lowest and highest of the repeated windows, drawn as a whisker. */
  lo?: number;
  hi?: number;
  /** A step that missed its criteria: drawn hollow. */
  miss?: boolean;
}

export interface Series {
  name: string;
  color: string;
  points: Point[];
}

interface Panel {
  title: string;
  yLabel: string;
  xLabel: string;
  series: Series[];
  /** A horizontal reference line. */
  limit?: { y: number; label: string };
  /** Logarithmic y axis. */
  log?: boolean;
}

const W = 420;
const H = 280;
const M = { left: 56, right: 16, top: 32, bottom: 44 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A "nice" axis maximum and step for values up to `max`. */
function niceAxis(max: number): { top: number; step: number } {
  const raw = Math.max(max, 1e-9) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step || step, step };
}

function panel(p: Panel, dx: number, xMax: number): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const ys = p.series.flatMap((s) => s.points.flatMap((q) => [q.y, q.lo ?? q.y, q.hi ?? q.y]));
  const yMaxRaw = Math.max(p.limit?.y ?? 0, ...ys);
  const ya = niceAxis(yMaxRaw * 1.05);
  const xa = niceAxis(xMax);
  // Log axis: whole decades around the data, ticks at 1, 2, 5 of each.
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.01, Math.min(p.limit?.y ?? Infinity, ...ys.filter((y) => y > 0)))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(lo * 10, yMaxRaw)));
  const frac = (y: number): number => (p.log ? (Math.log10(Math.max(lo, y)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : Math.min(y, ya.top) / ya.top);
  const X = (x: number): number => dx + M.left + (x / xa.top) * pw;
  const Y = (y: number): number => M.top + ph - frac(y) * ph;
  const yTop = p.log ? hi : ya.top;
  const yTicks: number[] = [];
  if (p.log) {
    for (let d = lo; d <= hi * 1.0001; d *= 10) for (const f of [1, 2, 5]) if (d * f <= hi * 1.0001) yTicks.push(d * f);
  } else {
    for (let y = 0; y <= ya.top + 1e-9; y += ya.step) yTicks.push(y);
  }
  const out: string[] = [];
  out.push(`<text x="${dx + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  for (const y of yTicks) {
    out.push(`<line x1="${X(0)}" x2="${X(xa.top)}" y1="${Y(y)}" y2="${Y(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${X(0) - 6}" y="${Y(y) + 4}" text-anchor="end">${+y.toFixed(3)}</text>`);
  }
  for (let x = 0; x <= xa.top + 1e-9; x += xa.step) {
    out.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${Y(0)}" y2="${Y(0) + 4}" stroke="#333"/>`);
    out.push(`<text x="${X(x)}" y="${Y(0) + 17}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<line x1="${X(0)}" x2="${X(xa.top)}" y1="${Y(0)}" y2="${Y(0)}" stroke="#333"/>`);
  out.push(`<line x1="${X(0)}" x2="${X(0)}" y1="${Y(0)}" y2="${Y(yTop)}" stroke="#333"/>`);
  out.push(`<text x="${dx + M.left + pw / 2}" y="${H - 8}" text-anchor="middle">${esc(p.xLabel)}</text>`);
  out.push(`<text transform="translate(${dx + 14},${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  if (p.limit) {
    out.push(`<line x1="${X(0)}" x2="${X(xa.top)}" y1="${Y(p.limit.y)}" y2="${Y(p.limit.y)}" stroke="#c00" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${X(xa.top) - 2}" y="${Y(p.limit.y) - 4}" text-anchor="end" fill="#c00">${esc(p.limit.label)}</text>`);
  }
  p.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ')}"/>`);
    for (const q of s.points) {
      if (q.lo !== undefined && q.hi !== undefined) out.push(`<line x1="${X(q.x).toFixed(1)}" x2="${X(q.x).toFixed(1)}" y1="${Y(q.lo).toFixed(1)}" y2="${Y(q.hi).toFixed(1)}" stroke="${s.color}" stroke-width="1"/>`);
      out.push(`<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="3" ${q.miss ? `fill="white" stroke="${s.color}" stroke-width="1.5"` : `fill="${s.color}"`}/>`);
    }
    out.push(`<rect x="${dx + M.left + 10}" y="${M.top + 6 + i * 16}" width="10" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${dx + M.left + 26}" y="${M.top + 15 + i * 16}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

const CAMERAS_AXIS = 'cameras (QVGA @ 8 fps, 1 MJPEG viewer each)';

/** Two panels side by side: end-to-end p99 and server CPU per delivered frame against camera count. */
export function saturatePlot(latency: Series[], cpuPerFrame: Series[], subtitle: string[]): string {
  const xMax = Math.max(1, ...[...latency, ...cpuPerFrame].flatMap((s) => s.points.map((p) => p.x)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 8 + 14 * subtitle.length}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel({ title: 'End-to-end latency p99 (median window)', yLabel: 'ms (log scale)', xLabel: CAMERAS_AXIS, series: latency, limit: { y: 5, label: '5 ms criterion' }, log: true }, 0, xMax),
    panel({ title: 'Server CPU per delivered frame (median window)', yLabel: 'microseconds', xLabel: CAMERAS_AXIS, series: cpuPerFrame }, W, xMax),
    ...subtitle.map((t, i) => `<text x="${W}" y="${H + 14 + 14 * i}" text-anchor="middle" fill="#555">${esc(t)}</text>`),
    '</svg>',
    '',
  ].join('\n');
}

export interface StackedBar {
  label: string;
  /** Where the figure comes from (e.g. `fleet.json`), shown under the label. */
  source: string;
  color: string;
  /** Stacked from the left: user, then kernel. */
  parts: { name: string; value: number }[];
}

/**
 * Horizontal stacked bars, one per server: the parts drawn solid then lighter, the total at
 * the end; an optional vertical reference line (a goal).
 */
export function stackedBarsPlot(title: string, unit: string, bars: StackedBar[], subtitle: string[], reference?: { x: number; label: string }): string {
  const rowH = 34;
  const left = 230;
  const right = 90;
  const width = 2 * W;
  const top = 62;
  const plotW = width - left - right;
  const totals = bars.map((b) => b.parts.reduce((a, p) => a + p.value, 0));
  const xa = niceAxis(Math.max(1e-9, reference?.x ?? 0, ...totals) * 1.05);
  const X = (v: number): number => left + (v / xa.top) * plotW;
  const height = top + rowH * bars.length + 36 + 14 * subtitle.length;
  const bottom = top + rowH * bars.length;
  const shades = [1, 0.45, 0.25];
  const partNames = [...new Set(bars.flatMap((b) => b.parts.map((p) => p.name)))];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
  ];
  partNames.forEach((name, i) => {
    out.push(`<rect x="${left + i * 110}" y="28" width="10" height="10" fill="#555" fill-opacity="${shades[i] ?? 0.2}"/>`);
    out.push(`<text x="${left + i * 110 + 14}" y="37">${esc(name)}</text>`);
  });
  for (let v = 0; v <= xa.top + 1e-9; v += xa.step) {
    out.push(`<line x1="${X(v)}" x2="${X(v)}" y1="${top - 4}" y2="${bottom}" stroke="#ddd"/>`);
    out.push(`<text x="${X(v)}" y="${bottom + 14}" text-anchor="middle">${+v.toFixed(3)}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${bottom + 30}" text-anchor="middle">${esc(unit)}</text>`);
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<text x="${left - 8}" y="${y + 26}" text-anchor="end" fill="#777" font-size="10">${esc(b.source)}</text>`);
    let at = 0;
    b.parts.forEach((p, j) => {
      out.push(`<rect x="${X(at).toFixed(1)}" y="${y + 4}" width="${Math.max(0, X(at + p.value) - X(at)).toFixed(1)}" height="${rowH - 10}" fill="${b.color}" fill-opacity="${shades[j] ?? 0.2}" stroke="${b.color}"><title>${esc(`${b.label}: ${p.name} ${p.value.toFixed(1)}`)}</title></rect>`);
      at += p.value;
    });
    out.push(`<text x="${X(at) + 6}" y="${y + 20}">${totals[i]!.toFixed(1)} (${b.parts.map((p) => p.value.toFixed(1)).join(' + ')})</text>`);
  });
  out.push(`<line x1="${left}" x2="${left}" y1="${top - 4}" y2="${bottom}" stroke="#333"/>`);
  if (reference) {
    out.push(`<line x1="${X(reference.x)}" x2="${X(reference.x)}" y1="${top - 8}" y2="${bottom}" stroke="#c00" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${X(reference.x) + 4}" y="${top - 10}" fill="#c00">${esc(reference.label)}</text>`);
  }
  subtitle.forEach((t, i) => out.push(`<text x="${width / 2}" y="${bottom + 46 + 14 * i}" text-anchor="middle" fill="#555">${esc(t)}</text>`));
  out.push('</svg>', '');
  return out.join('\n');
}
