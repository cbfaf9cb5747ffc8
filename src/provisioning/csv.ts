// The CSV files of bulk provisioning, read and written with csv-parse / csv-stringify (the
// dashboard uses the same libraries in the browser, src/web/dashboard/bulkFiles.js, with the
// same rules):
//   in  (rooms.csv): one camera per line, `room[,identity]`; an optional header line naming
//       the columns `room` and `identity` (any order); blank lines and `#` comments skipped.
//   out (keys CSV):  a header line, then one line per minted key with the columns KEY_COLUMNS.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CodedError } from '../errors.js';
import type { MintedKey } from '../control/bulk.js';

export const KEY_COLUMNS = ['app', 'room', 'identity', 'keyId', 'streamKey', 'wsUrl', 'mjpegUrl', 'frameUrl', 'playerUrl', 'embedUrl'] as const;
const INPUT_COLUMNS = ['room', 'identity'];

export interface RoomLine {
  /** 1-based line of the file, for error messages. */
  line: number;
  item: { room: string; identity?: string };
}

/** Parses a rooms list; throws a CodedError naming the line on malformed CSV or columns. */
export function parseRoomsCsv(text: string): RoomLine[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, comment: '#', relax_column_count: true, info: true, bom: true }) as unknown as typeof records;
  } catch (err) {
    throw new CodedError('invalid_field', `rooms CSV: ${(err as Error).message}`);
  }
  let columns = INPUT_COLUMNS;
  const first = records[0]?.record.map((c) => c.toLowerCase());
  if (first && first.includes('room')) {
    const unknown = first.filter((c) => !INPUT_COLUMNS.includes(c));
    if (unknown.length) throw new CodedError('invalid_field', `rooms CSV line ${records[0]!.info.lines}: unknown column ${unknown.map((c) => JSON.stringify(c)).join(', ')} (columns: room, identity)`);
    columns = first;
    records = records.slice(1);
  }
  return records.map(({ record, info }) => {
    if (record.length > columns.length) throw new CodedError('invalid_field', `rooms CSV line ${info.lines}: ${record.length} columns, expected at most ${columns.length} (room, identity)`);
    const item: { room: string; identity?: string } = { room: '' };
    record.forEach((value, i) => {
      if (columns[i] === 'room') item.room = value;
      else if (value !== '') item.identity = value;
    });
    return { line: info.lines, item };
  });
}

/** The keys CSV (header + one line per key). */
export function keysCsv(app: string, keys: MintedKey[]): string {
  return stringify(
    keys.map((k) => ({ app, room: k.name, identity: k.identity ?? '', keyId: k.id, streamKey: k.streamKey, wsUrl: k.wsUrl, mjpegUrl: k.mjpegUrl, frameUrl: k.frameUrl, playerUrl: k.playerUrl, embedUrl: k.embedUrl })),
    { header: true, columns: [...KEY_COLUMNS] },
  );
}
