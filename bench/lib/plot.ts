// Draws the saturate curves as a standalone SVG (no network, no dependencies): end-to-end
// p99 latency (log scale: it spans 1 ms to seconds) and server CPU against camera count,
// one line per target, with the 5 ms criterion as a dashed line.

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

interface Panel {
  title: string;
  yLabel: string;
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
  const ys = p.series.flatMap((s) => s.points.map((q) => q.y));
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
  out.push(`<text x="${dx + M.left + pw / 2}" y="${H - 8}" text-anchor="middle">cameras (QVGA @ 8 fps, 1 MJPEG viewer each)</text>`);
  out.push(`<text transform="translate(${dx + 14},${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  if (p.limit) {
    out.push(`<line x1="${X(0)}" x2="${X(xa.top)}" y1="${Y(p.limit.y)}" y2="${Y(p.limit.y)}" stroke="#c00" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${X(xa.top) - 2}" y="${Y(p.limit.y) - 4}" text-anchor="end" fill="#c00">${esc(p.limit.label)}</text>`);
  }
  p.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map((q) => `${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ')}"/>`);
    for (const q of s.points) out.push(`<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    out.push(`<rect x="${dx + M.left + 10}" y="${M.top + 6 + i * 16}" width="10" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${dx + M.left + 26}" y="${M.top + 15 + i * 16}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/** Two panels side by side: latency and CPU against camera count. */
export function saturatePlot(latency: Series[], cpu: Series[], subtitle: string): string {
  const xMax = Math.max(1, ...[...latency, ...cpu].flatMap((s) => s.points.map((p) => p.x)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 20}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel({ title: 'End-to-end latency p99', yLabel: 'ms (log scale)', series: latency, limit: { y: 5, label: '5 ms criterion' }, log: true }, 0, xMax),
    panel({ title: 'Server CPU', yLabel: 'cores (of 2)', series: cpu }, W, xMax),
    `<text x="${W}" y="${H + 14}" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
