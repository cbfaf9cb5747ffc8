// Entry point: `framehub [serve] [--flags]` runs the server; `framehub camera ...` runs the
// camera simulator. Settings come from flags, then environment, then defaults.
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { loadConfig, settings, settingsHelp } from './config.js';
import { runCameraCommand, CAMERA_HELP } from './camera/command.js';
import { CONTROL_HELP, runControl } from './cli/control.js';
import { wsBase } from './control/urls.js';
import { ConfigError, describeFailure } from './errors.js';
import { startServer } from './primary/server.js';
import { SERVER_NODE_FLAGS } from './nodeFlags.js';
import { createLogger } from './telemetry.js';

const HELP = `framehub: live JPEG frames from ESP32-CAM boards to MJPEG and WebSocket viewers

Usage:
  framehub [serve] [options]     run the server (npm start)
  framehub camera [options]      run a simulated camera (npm run camera -- ...)
  framehub apps|tokens|keys ...  manage apps, API tokens and camera keys (below)
  framehub --help

Server options (flag, environment variable, meaning):
${settingsHelp()}

${CONTROL_HELP}

${CAMERA_HELP}`;

async function serve(argv: string[]): Promise<void> {
  // Flags not given on the command line still reach the workers' isolates (see nodeFlags.ts).
  // A flag counts as given in either form (`--optimize-for-size`, `--no-optimize-for-size`).
  for (const flag of SERVER_NODE_FLAGS) {
    const name = flag.split('=')[0]!.replace(/^--/, '');
    const given = (a: string) => a.startsWith(`--${name}`) || a.startsWith(`--no-${name}`);
    if (!process.execArgv.some(given) && !(process.env.NODE_OPTIONS ?? '').split(/\s+/).some(given)) v8.setFlagsFromString(flag);
  }
  const options = Object.fromEntries(Object.values(settings).map((s) => [s.flag, { type: 'string' as const }]));
  const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const config = loadConfig({ env: process.env, flags: values as Record<string, string | undefined> });
  const log = createLogger(config.logLevel, { shard: 'primary' });
  const server = await startServer(config, log);
  const base = server.url;
  const ws = wsBase(base);
  const token = server.generatedAdminToken;
  process.stderr.write(
    [
      '',
      `framehub listening on ${config.host}:${server.port}${config.tlsCertFile ? ' (TLS)' : ''} with ${config.workers} workers (data in ${config.dataDir})`,
      `  camera ingest   ${ws}/ingest/ws?app=live&room=<room>`,
      `  mint a key      curl -X POST ${base}/api/v1/apps/live/ws-ingest -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"room":"cam1"}'`,
      `  player          ${base}/play/live/<room>`,
      `  MJPEG           ${base}/live/live/<room>/mjpeg`,
      `  health          ${base}/healthz`,
      `  metrics         http://${config.metricsHost === '0.0.0.0' ? 'localhost' : config.metricsHost}:${server.metricsPort}/metrics`,
      token
        ? `  admin token     ${token}\n                  (generated now and shown only this once: keep it; set FRAMEHUB_ADMIN_TOKEN to choose your own)`
        : server.adminTokenRevokedAt !== null
          ? `  admin token     FRAMEHUB_ADMIN_TOKEN was revoked on ${new Date(server.adminTokenRevokedAt).toISOString()} and is not re-applied: set a new value`
          : config.adminToken
          ? '  admin token     the value of FRAMEHUB_ADMIN_TOKEN'
          : '  admin token     printed on the first start only (or set FRAMEHUB_ADMIN_TOKEN)',
      `  simulate        npm run camera -- --url ${base} --token <admin token> --room cam1`,
      '',
    ].join('\n'),
  );
  let closing = false;
  const stop = (signal: string): void => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (command === 'camera') return runCameraCommand(rest);
  if (command === 'apps' || command === 'tokens' || command === 'keys') {
    process.stdout.write(`${JSON.stringify(await runControl(command, rest), null, 2)}\n`);
    return;
  }
  if (command === 'serve') return serve(rest);
  if (command === undefined || command.startsWith('-')) return serve(argv);
  throw new ConfigError(`unknown command ${command}; see framehub --help`);
}

main(process.argv.slice(2)).catch((err: Error) => {
  const { line, status } = describeFailure(err);
  process.stderr.write(`${line}\n`);
  process.exit(status);
});
