#!/usr/bin/env node
// Runs the compiled CLI when built (npm run build), else the TypeScript source through tsx,
// so both `node bin/calico-gitops.js` after a build and `npx calico-gitops` in a checkout work.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'agent', 'cli', 'main.ts')).href);
}
