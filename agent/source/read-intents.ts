// The optional intents file of a policy directory (`.calico-gitops/intents.yaml`).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { INTENTS_FILE } from '../connectivity/intents.js';
import { SourceError } from '../domain/errors.js';
import type { Issue } from '../domain/issue.js';
import type { SourceFile } from '../domain/state.js';
import { fileSizeProblem, type SizeLimits } from './select-files.js';

/** The file, or the problem that kept it from being read (over the file limit); undefined when absent. */
export async function readIntentsFile(dir: string, limits?: Partial<SizeLimits>): Promise<{ readonly file: SourceFile } | { readonly problem: Issue } | undefined> {
  try {
    const path = join(dir, INTENTS_FILE);
    const problem = fileSizeProblem(INTENTS_FILE, (await stat(path)).size, limits);
    if (problem) return { problem };
    return { file: { path: INTENTS_FILE, content: await readFile(path, 'utf8') } };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SourceError(`cannot read ${INTENTS_FILE}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { code: 'source', disposition: 'stalled', cause: err });
  }
}
