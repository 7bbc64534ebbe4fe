import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium); playwright-core never downloads a browser. */
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) =>
  existsSync(path),
);

/** Runs a suite in a real browser, or skips it saying why when this machine has none. */
export const describeInBrowser = (name: string, suite: () => void): void => {
  if (CHROMIUM) return describe(name, suite);
  // In CI a missing browser is a broken machine, never a silent skip (.ci/run installs it).
  if (process.env.CI) throw new Error(`${name}: no Chromium in CI (apt-get install chromium)`);
  // Skipped, not failed, on a developer machine without a browser.
  describe.skip(`${name} (skipped: no Chromium; apt-get install chromium)`, suite);
};

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // As root in a sandbox, on a machine with no network beyond loopback.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
