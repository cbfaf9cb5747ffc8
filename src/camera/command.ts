// `framehub camera`: run one or many simulated cameras against a server. With --token it
// first mints a key per room through the API; with --key it uses that key.
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import type { SimCamera } from './simulator.js';

export const CAMERA_HELP = `Camera simulator (framehub camera / npm run camera -- ...):
  --url <base>         server base URL (default http://localhost:8080)
  --app <app>          app name (default live)
  --room <room>        room name (default cam1); with --count N: rooms <room>-1..<room>-N
  --key <wsk_...>      stream key to use (or FRAMEHUB_STREAM_KEY)
  --token <token>      API token: mint a key per room first (or FRAMEHUB_TOKEN)
  --count <n>          number of cameras (default 1)
  --fps <n>            frames per second (default 8; never above the server's maxFps)
  --size qvga|vga      sample frame size (default qvga, ~8 KB; vga ~25 KB)
  --query-key          send the key as ?key= instead of the Authorization header
  --duration <sec>     stop after this many seconds (default: run until Ctrl-C)`;

async function mintKey(url: string, token: string, app: string, room: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/apps/${encodeURIComponent(app)}/ws-ingest`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ room }),
  });
  const body = (await res.json()) as { data?: { streamKey: string }; error?: { code: string; message: string } };
  if (!res.ok || !body.data) throw new ConfigError(`could not mint a key for ${app}/${room}: ${res.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`);
  return body.data.streamKey;
}

export async function runCameraCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string', default: 'http://localhost:8080' },
      app: { type: 'string', default: 'live' },
      room: { type: 'string', default: 'cam1' },
      key: { type: 'string' },
      token: { type: 'string' },
      count: { type: 'string', default: '1' },
      fps: { type: 'string', default: '8' },
      size: { type: 'string', default: 'qvga' },
      'query-key': { type: 'boolean', default: false },
      duration: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${CAMERA_HELP}\n`);
    return;
  }
  const url = values.url.replace(/\/$/, '');
  const count = Number(values.count);
  const fps = Number(values.fps);
  if (!Number.isInteger(count) || count < 1) throw new ConfigError('--count must be a whole number >= 1');
  if (!(fps > 0)) throw new ConfigError('--fps must be a number > 0');
  if (values.size !== 'qvga' && values.size !== 'vga') throw new ConfigError('--size must be qvga or vga');
  const key = values.key ?? process.env.FRAMEHUB_STREAM_KEY;
  const token = values.token ?? process.env.FRAMEHUB_TOKEN;
  if (!key && !token) throw new ConfigError('give --key <stream key> or --token <API token> (to mint keys)');
  if (key && count > 1) throw new ConfigError('--key works with one camera; use --token to mint a key per camera');

  const rooms = count === 1 ? [values.room] : Array.from({ length: count }, (_, i) => `${values.room}-${i + 1}`);
  // The simulator (and `ws`) load only for this command, not with every server start.
  const { SimCamera } = await import('./simulator.js');
  const cameras: SimCamera[] = [];
  for (const room of rooms) {
    const streamKey = key ?? (await mintKey(url, token!, values.app, room));
    const cam = new SimCamera({ url, app: values.app, room, key: streamKey, fps, size: values.size, queryKey: values['query-key'] });
    cam.on('ready', (r) => process.stderr.write(`[${room}] ready: stream ${r.streamId}, maxFps ${r.maxFps}, maxFrameBytes ${r.maxFrameBytes}\n`));
    cam.on('error', (e) => process.stderr.write(`[${room}] server error ${e.code}: ${e.message}\n`));
    cam.on('close', (code, reason) => process.stderr.write(`[${room}] closed ${code} ${reason}; reconnecting in 3 s\n`));
    cameras.push(cam.start());
  }
  const report = setInterval(() => {
    const frames = cameras.reduce((n, c) => n + c.framesSent, 0);
    const live = cameras.filter((c) => c.ready).length;
    process.stderr.write(`${live}/${cameras.length} cameras streaming, ${frames} frames sent\n`);
  }, 5000);
  const stop = async (): Promise<void> => {
    clearInterval(report);
    await Promise.all(cameras.map((c) => c.stop()));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  if (values.duration) setTimeout(() => void stop(), Number(values.duration) * 1000);
  if (rooms.length === 1) process.stderr.write(`watch it: ${url}/play/${values.app}/${rooms[0]}\n`);
}
