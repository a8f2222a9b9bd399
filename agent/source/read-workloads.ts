// Reads a workloads file for the connectivity analysis (`--workloads F`): YAML or JSON, one or
// more documents (a Kubernetes List as `kubectl get ... -o yaml` prints it, Calico objects).
import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { parseWorkloads, type WorkloadsResult } from '../connectivity/workloads.js';
import { SourceError } from '../domain/errors.js';

export async function readWorkloadsFile(path: string): Promise<WorkloadsResult> {
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw new SourceError(`cannot read workloads file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { code: 'not-found', disposition: 'stalled', cause: err });
  });
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text);
  } catch (err) {
    const mark = (err as { mark?: { line?: number; column?: number } }).mark;
    const reason = (err as { reason?: string }).reason ?? (err instanceof Error ? err.message : String(err));
    return {
      workloads: { namespaces: [], serviceAccounts: [], pods: [], hostEndpoints: [], networkSets: [] },
      errors: [{ severity: 'error', file: path, line: (mark?.line ?? -1) + 1, column: (mark?.column ?? -1) + 1, path: '', code: 'yaml', message: reason }],
      warnings: [],
    };
  }
  return parseWorkloads(docs, { file: path, lines: documentLines(text) });
}

/** 1-based first content line of each document (after `---` separators). */
function documentLines(text: string): number[] {
  const starts: number[] = [];
  let pending = true;
  text.split('\n').forEach((l, i) => {
    if (/^---(\s|$)/.test(l)) {
      pending = true;
      return;
    }
    if (pending && l.trim() !== '' && !l.trimStart().startsWith('#')) {
      starts.push(i + 1);
      pending = false;
    }
  });
  return starts;
}
