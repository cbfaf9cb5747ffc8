// The files of bulk provisioning, made in the browser with the same npm libraries as the CLI
// (served from /assets/vendor/, loaded only when this panel is used):
//   rooms list in: `room[,identity]` per line, optional header `room,identity`, `#` comments
//                  (the rules of src/provisioning/csv.ts);
//   keys CSV out:  the CLI's columns (app, room, identity, keyId, streamKey, wsUrl, mjpegUrl,
//                  frameUrl, playerUrl, embedUrl);
//   bundle out:    a zip (fflate) with the keys CSV, a README and <room>/config.h per camera.
import { firmwareConfig } from './firmware.js';

export const KEY_COLUMNS = ['app', 'room', 'identity', 'keyId', 'streamKey', 'wsUrl', 'mjpegUrl', 'frameUrl', 'playerUrl', 'embedUrl'];
const INPUT_COLUMNS = ['room', 'identity'];

/** Parses a pasted or uploaded rooms list into [{line, item}]; throws Error naming the line. */
export async function parseRooms(text) {
  const { parse } = await import('/assets/vendor/csv-parse.js');
  let records;
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, comment: '#', relax_column_count: true, info: true, bom: true });
  } catch (err) {
    throw new Error(`rooms list: ${err.message}`);
  }
  let columns = INPUT_COLUMNS;
  const first = records[0]?.record.map((c) => c.toLowerCase());
  if (first && first.includes('room')) {
    const unknown = first.filter((c) => !INPUT_COLUMNS.includes(c));
    if (unknown.length) throw new Error(`line ${records[0].info.lines}: unknown column ${unknown.map((c) => JSON.stringify(c)).join(', ')} (columns: room, identity)`);
    columns = first;
    records = records.slice(1);
  }
  return records.map(({ record, info }) => {
    if (record.length > columns.length) throw new Error(`line ${info.lines}: ${record.length} columns, expected at most ${columns.length} (room, identity)`);
    const item = { room: '' };
    record.forEach((value, i) => {
      if (columns[i] === 'room') item.room = value;
      else if (value !== '') item.identity = value;
    });
    return { line: info.lines, item };
  });
}

export async function keysCsv(app, keys) {
  const { stringify } = await import('/assets/vendor/csv-stringify.js');
  return stringify(
    keys.map((k) => ({ app, room: k.name, identity: k.identity ?? '', keyId: k.id, streamKey: k.streamKey, wsUrl: k.wsUrl, mjpegUrl: k.mjpegUrl, frameUrl: k.frameUrl, playerUrl: k.playerUrl, embedUrl: k.embedUrl })),
    { header: true, columns: KEY_COLUMNS },
  );
}

/** The zip: `<folder>/keys.csv`, `<folder>/README.txt`, `<folder>/<room>/config.h`. */
export async function configBundle(app, keys, csv, folder) {
  const { zipSync, strToU8 } = await import('/assets/vendor/fflate.js');
  const files = {
    [`${folder}/keys.csv`]: strToU8(csv),
    [`${folder}/README.txt`]: strToU8(
      `framehub camera keys for app ${app} (${keys.length} cameras), made ${new Date().toISOString()}.\n\n` +
        'Each folder holds the config.h of one camera for firmware/esp32cam_ws_ingest: copy it next to the\n' +
        'sketch, set the WiFi name and password, flash the board.\n\n' +
        'The stream keys in these files are secrets, shown once: framehub stores only their hashes.\n' +
        'Anyone with a key can publish as that camera. Keep this archive safe and delete it when done.\n',
    ),
  };
  for (const k of keys) files[`${folder}/${k.name}/config.h`] = strToU8(firmwareConfig({ app, room: k.name, streamKey: k.streamKey, wsUrl: k.wsUrl }));
  return zipSync(files, { level: 6, mtime: new Date() });
}
