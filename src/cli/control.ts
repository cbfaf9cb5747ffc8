// `framehub apps|tokens|keys ...`: manage the control store from the command line, for
// scripted installs. Works on the data dir directly (also while the server runs: the
// server notices the change within a second and closes cameras whose key or app is gone).
// Output is JSON, secrets appear once, in the creation output only. Every change goes
// through the control service (src/control/service.ts), the API's own, with the same views.
// On a cluster node it only reads: every write command calls assertCliMayWrite first
// (src/cli/clusterGuard.ts), which refuses with a message pointing at the API.
import { parseArgs } from 'node:util';
import { ControlService } from '../control/service.js';
import { appView, keyView, tokenView } from '../control/views.js';
import { loadConfig, publicBase } from '../config.js';
import { ConfigError } from '../errors.js';
import { assertCliMayWrite } from './clusterGuard.js';
import { ControlStore } from '../keys.js';
import { createLogger } from '../telemetry.js';
import { mintFromCsv } from './mintFromCsv.js';

export const CONTROL_HELP = `Control store (works on the data dir; --data-dir or FRAMEHUB_DATA_DIR, default ./data;
on a cluster node only list works: make changes through the API, see docs/cluster.md):
  framehub apps list
  framehub apps create <name> [--ws-ingest on|off] [--public-playback on|off] [--max-cameras N]
                              [--max-fps N] [--max-frame-bytes N] [--idle-timeout-sec N]
  framehub apps update <name> [same options; "default" resets a limit]
  framehub apps delete <name>
  framehub tokens list
  framehub tokens create --name <name> --scopes <scope,...> [--app <app>]
  framehub tokens revoke <id>
  framehub keys list <app>
  framehub keys mint <app> <room> [--identity <id>]
  framehub keys mint --app <app> --from <rooms.csv> [--out <keys.csv>] [--allow-existing-rooms]
        one key per line of rooms.csv (room[,identity]; all or nothing, at most 1000), written
        with their URLs to a new CSV file created with mode 0600 (the keys are shown once)
  framehub keys revoke <id>
Scopes: * ingress:create ingress:read ingress:delete streams:read apps:read apps:write tokens:read tokens:write`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  'ws-ingest': { type: 'string' },
  'public-playback': { type: 'string' },
  'max-cameras': { type: 'string' },
  'max-fps': { type: 'string' },
  'max-frame-bytes': { type: 'string' },
  'idle-timeout-sec': { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  app: { type: 'string' },
  identity: { type: 'string' },
  from: { type: 'string' },
  out: { type: 'string' },
  'allow-existing-rooms': { type: 'boolean' },
} as const;

function onOff(flag: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false') return false;
  throw new ConfigError(`--${flag} must be on or off`);
}

function num(flag: string, v: string | undefined, nullable: boolean): number | null | undefined {
  if (v === undefined) return undefined;
  if (nullable && v === 'default') return null;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(`--${flag} must be a number${nullable ? ' or "default"' : ''}`);
  return n;
}

function appSettings(values: { [K in 'ws-ingest' | 'public-playback' | 'max-cameras' | 'max-fps' | 'max-frame-bytes' | 'idle-timeout-sec']?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {
    wsIngest: onOff('ws-ingest', values['ws-ingest']),
    publicPlayback: onOff('public-playback', values['public-playback']),
    maxCameras: num('max-cameras', values['max-cameras'], false),
    maxFps: num('max-fps', values['max-fps'], true),
    maxFrameBytes: num('max-frame-bytes', values['max-frame-bytes'], true),
    idleTimeoutSec: num('idle-timeout-sec', values['idle-timeout-sec'], true),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** Runs one control command; returns what to print. */
export async function runControl(group: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const config = loadConfig({ env, flags: { 'data-dir': values['data-dir'] } });
  const [action, ...args] = positionals;
  const store = new ControlStore(config.dataDir);
  // The same service as the API's, without a live node: a running server notices the
  // change by the store revision. Its log lines are the server's; the CLI prints JSON only.
  const control = new ControlService({ store, maxFrameBytes: config.maxFrameBytes, publicBase: () => publicBase(config, config.port), log: createLogger('silent'), live: null });
  try {
    const need = (n: number, usage: string): string[] => {
      if (args.length !== n) throw new ConfigError(`usage: framehub ${group} ${action} ${usage}`);
      return args;
    };
    if (action !== 'list') assertCliMayWrite(store, env, `${group} ${action ?? ''}`.trim());
    switch (`${group} ${action}`) {
      case 'apps list':
        return store.listApps().map(appView);
      case 'apps create': {
        const [name] = need(1, '<name> [options]');
        return appView(await control.createApp({ name, ...appSettings(values) }));
      }
      case 'apps update': {
        const [name] = need(1, '<name> [options]');
        return appView(await control.updateApp(name!, appSettings(values)));
      }
      case 'apps delete': {
        const [name] = need(1, '<name>');
        return { deleted: (await control.deleteApp(name!)).deleted };
      }
      case 'tokens list':
        return store.listTokens().map(tokenView);
      case 'tokens create': {
        need(0, '--name <name> --scopes <scope,...> [--app <app>]');
        const { token, secret } = await control.createToken({ name: values.name, scopes: values.scopes?.split(',').map((s) => s.trim()).filter(Boolean), app: values.app ?? null }, null);
        return { ...tokenView(token), token: secret };
      }
      case 'tokens revoke': {
        const [id] = need(1, '<id>');
        return await control.revokeToken(id!, null);
      }
      case 'keys list': {
        const [app] = need(1, '<app>');
        return control.listKeys(app!).map(keyView);
      }
      case 'keys mint': {
        if (values.from !== undefined) {
          need(0, '--app <app> --from <rooms.csv> [--out <keys.csv>] [--allow-existing-rooms]');
          if (!values.app) throw new ConfigError('usage: framehub keys mint --app <app> --from <rooms.csv>: --app is missing');
          return await mintFromCsv(control, config, { app: values.app, from: values.from, out: values.out, allowExistingRooms: values['allow-existing-rooms'] ?? false });
        }
        const [app, room] = need(2, '<app> <room> [--identity <id>]');
        const { key, secret } = await control.mintKey(app!, { room, ...(values.identity ? { identity: values.identity } : {}) });
        return { ...keyView(key), streamKey: secret };
      }
      case 'keys revoke': {
        const [id] = need(1, '<id>');
        return { revoked: (await control.revokeKey(id!, null)).revoked };
      }
      default:
        throw new ConfigError(`unknown command: framehub ${group} ${action ?? ''}\n${CONTROL_HELP}`);
    }
  } finally {
    await store.close();
  }
}
