// Headless Chromium (Debian's `chromium`) for page tests: the DOM after load (`--dump-dom`) and a
// screenshot, with a fresh profile each time and nothing reaching out on its own.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The chromium binary on PATH, or undefined (the caller skips with the reason). */
export async function findChromium(): Promise<string | undefined> {
  for (const name of ['chromium', 'chromium-browser']) {
    const found = await run('sh', ['-c', `command -v ${name}`]).then((r) => r.stdout.trim(), () => '');
    if (found) return found;
  }
  return undefined;
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function withProfile<T>(work: (profile: string) => Promise<T>): Promise<T> {
  const profile = await mkdtemp(join(tmpdir(), 'cg-chromium-'));
  try {
    return await work(profile);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

export async function dumpDom(chromium: string, url: string): Promise<string> {
  return withProfile(async (profile) => {
    const { stdout } = await run(chromium, [...FLAGS, `--user-data-dir=${profile}`, '--dump-dom', url], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  });
}

/** Writes a PNG of the page to `file`. */
export async function screenshot(chromium: string, url: string, file: string): Promise<void> {
  await withProfile(async (profile) => {
    await run(chromium, [...FLAGS, `--user-data-dir=${profile}`, `--screenshot=${file}`, '--window-size=1200,800', url], { timeout: 60_000 });
  });
}
