// The optional intents file of a policy directory (`.calico-gitops/intents.yaml`).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INTENTS_FILE } from '../connectivity/intents.js';
import { SourceError } from '../domain/errors.js';
import type { SourceFile } from '../domain/state.js';

export async function readIntentsFile(dir: string): Promise<SourceFile | undefined> {
  try {
    return { path: INTENTS_FILE, content: await readFile(join(dir, INTENTS_FILE), 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SourceError(`cannot read ${INTENTS_FILE}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { code: 'source', disposition: 'stalled', cause: err });
  }
}
