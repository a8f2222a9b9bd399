// `npm run bench`: runs every scripts/bench/*-bench.ts (each exports `run(): Promise<object>`)
// and prints one JSON document with their figures. `npm run bench -- validate` runs one.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  run(): Promise<Record<string, unknown>>;
}

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('-bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(`${o}-`)))
  .sort();

const results: Record<string, unknown> = {
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  process.stderr.write(`bench: ${file}\n`);
  const name = file.replace(/-bench\.ts$/, '');
  results[name] = await mod.run();
  // Each bench's figures as soon as it ends: a later bench that fails does not lose them.
  process.stderr.write(`bench ${name}: ${JSON.stringify(results[name])}\n`);
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
