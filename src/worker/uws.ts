// Picks and loads the native uWebSockets.js build for this platform. Two builds are
// installed (both pinned in package.json and the lockfile):
//   - btc-vision   @btc-vision/uwebsockets.js 20.57.0: Node 20/22/24/25 (ABI 115/127/137/141),
//                  needs glibc >= 2.38 (Debian 13, Ubuntu 24.04); a third-party republish of upstream.
//   - trufflesuite uWebSockets.js = @trufflesuite/uws-js-unofficial 20.30.0: Node 16/18/20
//                  (ABI 93/108/115), glibc >= 2.27 (Debian 12).
// The loader requires the build's `.node` binary itself, never the package's entry file, so
// the trufflesuite package's silent pure-JS fallback can never be picked: when no native
// binary loads, the server stops with UwsFallbackError saying what each build answered.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as UWS from 'uWebSockets.js';

export type UwsModule = typeof UWS;

/** The installed builds, in the order `auto` tries them (newest first). */
export const UWS_BUILDS = [
  { name: 'btc-vision', pkg: '@btc-vision/uwebsockets.js', binaryDir: '' },
  { name: 'trufflesuite', pkg: 'uWebSockets.js', binaryDir: 'binaries' },
] as const;

export type UwsBuildName = (typeof UWS_BUILDS)[number]['name'];
export type UwsBuildChoice = 'auto' | UwsBuildName;

/** Which build a thread runs, for its log line. */
interface UwsBuildInfo {
  readonly build: UwsBuildName;
  /** npm package and version actually installed, e.g. @btc-vision/uwebsockets.js@20.57.0. */
  readonly package: string;
  /** Absolute path of the native binary loaded. */
  readonly binary: string;
}

interface LoadedUws {
  readonly uws: UwsModule;
  readonly info: UwsBuildInfo;
}

export class UwsFallbackError extends Error {
  override readonly name = 'UwsFallbackError';
}

const require = createRequire(import.meta.url);

/** The pure-JS fallback has no native functions; the native module has SSLApp and native code. */
export function assertNativeUws(uws: unknown): void {
  const u = uws as { us_socket_local_port?: unknown; SSLApp?: unknown };
  const native = typeof u.us_socket_local_port === 'function' && String(u.us_socket_local_port).includes('[native code]') && 'SSLApp' in (u as object);
  if (!native) {
    throw new UwsFallbackError(
      `uWebSockets.js loaded its pure-JS fallback instead of the native binary (Node ${process.version}, ABI ${process.versions.modules}). ` +
        'framehub needs a native build: see the supported platforms in docs/deploy.md.',
    );
  }
}

/** The installed package's folder (resolving its entry file does not run it). */
function packageRoot(pkg: string): string | undefined {
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    return undefined;
  }
  const suffix = path.join('node_modules', pkg);
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (dir.endsWith(suffix)) return dir;
  }
  return undefined;
}

/** glibc of this process, for error messages ("2.36"), or "none" (musl, macOS). */
export function glibcVersion(): string {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ?? 'none';
}

/**
 * Loads the first build (or the chosen one) whose native binary for this platform, CPU and
 * Node ABI exists and loads. Throws UwsFallbackError listing every build's answer otherwise.
 */
export function loadUws(choice: UwsBuildChoice = 'auto'): LoadedUws {
  const { platform, arch } = process;
  const abi = process.versions.modules;
  const file = `uws_${platform}_${arch}_${abi}.node`;
  const answers: string[] = [];
  for (const build of UWS_BUILDS) {
    if (choice !== 'auto' && choice !== build.name) continue;
    const root = packageRoot(build.pkg);
    if (!root) {
      answers.push(`${build.name}: package ${build.pkg} is not installed (run npm ci)`);
      continue;
    }
    const { name, version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
    const binary = path.join(root, build.binaryDir, file);
    const label = `${build.name} (${name}@${version})`;
    if (!existsSync(binary)) {
      answers.push(`${label}: no binary for ${platform}-${arch} Node ABI ${abi}`);
      continue;
    }
    try {
      const uws = require(binary) as UwsModule;
      assertNativeUws(uws);
      return { uws, info: { build: build.name, package: `${name}@${version}`, binary } };
    } catch (err) {
      // e.g. "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by …)"
      const first = ((err as Error).message ?? String(err)).split('\n')[0]!;
      answers.push(`${label}: ${first.replace(/ \(required by [^)]*\)/, '')}`);
    }
  }
  throw new UwsFallbackError(
    `no native uWebSockets.js build loads here (Node ${process.version}, ABI ${abi}, ${platform}-${arch}, glibc ${glibcVersion()}, FRAMEHUB_UWS_BUILD=${choice}): ` +
      `${answers.join('; ')}. framehub never runs on the slow pure-JS fallback. ` +
      'Supported: Node 20/22/24 on glibc >= 2.38 (Debian 13, Ubuntu 24.04), or Node 20 on glibc >= 2.27 (Debian 12); see docs/deploy.md.',
  );
}
