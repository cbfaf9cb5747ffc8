// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the page tests.
// playwright-core downloads no browser; CHROMIUM_PATH overrides the executable.
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/**
 * The page tests' teardown: browser, cameras, then the server; and no script errors were
 * collected on the pages (`errors`, filled from page.on('pageerror')).
 */
export async function closePageRig(rig: { browser?: Browser; cameras: { stop(): Promise<void> | void }[]; server?: { stop(): Promise<void> }; errors?: string[] }): Promise<void> {
  await rig.browser?.close();
  await Promise.all(rig.cameras.map((c) => c.stop()));
  await rig.server?.stop();
  if (rig.errors) assert.deepEqual(rig.errors, [], 'no script errors on the pages');
}
