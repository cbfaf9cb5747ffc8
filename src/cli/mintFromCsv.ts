// `framehub keys mint --app <app> --from rooms.csv`: bulk minting from a CSV of rooms, through
// the control service's all-or-nothing bulk minting, as the API's (src/control/service.ts). The keys go to a
// new CSV file created with mode 0600 (never over an existing file: the keys are shown once);
// stdout says where, and never carries a key.
import { closeSync, fchmodSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { publicBase, type Config } from '../config.js';
import { CodedError } from '../errors.js';
import type { ControlService } from '../control/service.js';
import { BulkError, mintedView } from '../control/bulk.js';
import { keysCsv, parseRoomsCsv } from '../provisioning/csv.js';

export interface MintFromCsvOptions {
  app: string;
  from: string;
  out: string | undefined;
  allowExistingRooms: boolean;
}

/** `keys-<app>-<UTC time>.csv` in the current directory. */
function defaultOut(app: string, now = new Date()): string {
  return `keys-${app}-${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}Z.csv`;
}

export async function mintFromCsv(control: ControlService, config: Config, opts: MintFromCsvOptions) {
  control.requireApp(opts.app);
  let text: string;
  try {
    text = readFileSync(opts.from, 'utf8');
  } catch (err) {
    throw new CodedError('invalid_field', `--from: cannot read ${opts.from}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const lines = parseRoomsCsv(text);
  if (lines.length === 0) throw new CodedError('invalid_field', `--from: ${opts.from} lists no room`);
  const out = path.resolve(opts.out ?? defaultOut(opts.app));
  // Created before minting (exclusive, 0600), so a bad path costs no keys.
  let fd: number;
  try {
    fd = openSync(out, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CodedError('invalid_field', `--out: cannot create ${out}: ${code === 'EEXIST' ? 'the file exists (keys are never written over an older file)' : code ?? (err as Error).message}`);
  }
  try {
    fchmodSync(fd, 0o600); // whatever the umask
    let minted;
    try {
      minted = await control.bulkMint(opts.app, lines.map((l) => l.item), { allowExistingRooms: opts.allowExistingRooms });
    } catch (err) {
      if (!(err instanceof BulkError)) throw err;
      const detail = err.items.map((i) => `  line ${lines[i.index]!.line}${i.room ? ` (${i.room})` : ''}: ${i.code}: ${i.message}`).join('\n');
      throw new CodedError('invalid_field', `${err.message}\n${detail}`);
    }
    const base = publicBase(config, config.port);
    writeSync(fd, keysCsv(opts.app, minted.map(({ key, secret }) => mintedView(base, key, secret))));
    closeSync(fd);
    return {
      app: opts.app,
      minted: minted.length,
      file: out,
      mode: '0600',
      note: `The stream keys are in ${out} (mode 0600) and nowhere else: only their hashes are stored, they cannot be shown again. Load them onto the cameras, keep the file secret, delete it when done.`,
      ...(config.publicUrl ? {} : { warning: `URLs use ${base}: set FRAMEHUB_PUBLIC_URL to the address cameras reach` }),
    };
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    // Nothing was minted (or writing failed before the file held the keys): no empty file left.
    rmSync(out, { force: true });
    throw err;
  }
}
