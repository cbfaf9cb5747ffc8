// Browser builds of the npm libraries the dashboard uses, served as /assets/vendor/*.js from
// node_modules (installed with the server: no CDN, no build step). fflate makes the zip of
// config.h files; csv-parse / csv-stringify read pasted room lists and write the keys CSV
// with the same rules as the CLI (src/provisioning/csv.ts).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Asset name under /assets/ -> package and file inside it. */
const VENDORED: Record<string, [pkg: string, file: string]> = {
  'vendor/fflate.js': ['fflate', 'esm/browser.js'],
  'vendor/csv-parse.js': ['csv-parse', 'dist/esm/sync.js'],
  'vendor/csv-stringify.js': ['csv-stringify', 'dist/esm/sync.js'],
};

/** The package's folder in the nearest node_modules above this file. */
function packageDir(pkg: string): string | null {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', pkg);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The vendored files that are installed (a missing one is a 404, logged by the caller). */
export function vendorFiles(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [asset, [pkg, file]] of Object.entries(VENDORED)) {
    const dir = packageDir(pkg);
    if (dir && existsSync(path.join(dir, file))) out.set(asset, readFileSync(path.join(dir, file)));
  }
  return out;
}
