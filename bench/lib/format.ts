// Number formatting for case lines and the summary table.

export const fmtMs = (ms: number): string => (ms >= 100 ? `${Math.round(ms)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`);

export const fmtRate = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : `${Math.round(n)}`);

export const fmtMBps = (bytesPerSec: number): string => `${(bytesPerSec / 1e6).toFixed(1)} MB/s`;

/** framehub / baseline, or '-' when either is missing. */
export const ratio = (a: number | null | undefined, b: number | null | undefined): number | null => (a == null || b == null || b === 0 ? null : a / b);

export const fmtRatio = (r: number | null): string => (r === null ? '-' : `${r.toFixed(2)}x`);

/** A plain text table with a header row, columns padded to fit. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
