// The fault suite's ledger: every fault test records what it injected and what came out (did the
// sync converge, changes lost, changes applied twice) as one JSON line in a directory the global
// setup creates (CALICO_GITOPS_FAULT_LEDGER); the global teardown sums them into the one line
// `faults: injected N, syncs converged N, changes lost 0, double applies 0`.
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LEDGER_ENV = 'CALICO_GITOPS_FAULT_LEDGER';

export interface FaultRecord {
  /** What was injected, e.g. `api 503 at 30%`. */
  readonly fault: string;
  /** How many faults fired (requests failed, processes killed, …); at least 1 for a test that ran. */
  readonly injected: number;
  /** Syncs that ended equal to the repository, with the right statuses. */
  readonly converged: number;
  /** Syncs the test expected. */
  readonly syncs: number;
  /** Changes of the repository missing from the cluster or the audit stream. */
  readonly lost: number;
  /** Changes audited (applied) more than once for the same commit. */
  readonly doubleApplies: number;
}

/** Appends a record; a no-op outside the suite's global setup (a test run on its own file still counts itself). */
export function recordFault(record: FaultRecord): void {
  const dir = process.env[LEDGER_ENV];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(record)}\n`);
}

export function readLedger(dir: string): FaultRecord[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return files.flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as FaultRecord),
  );
}

export function summarizeLedger(records: readonly FaultRecord[]): string {
  const sum = (k: 'injected' | 'converged' | 'lost' | 'doubleApplies') => records.reduce((n, r) => n + r[k], 0);
  const syncs = records.reduce((n, r) => n + r.syncs, 0);
  const converged = sum('converged');
  const tail = converged === syncs ? '' : ` (of ${syncs} syncs)`;
  return `faults: injected ${sum('injected')}, syncs converged ${converged}${tail}, changes lost ${sum('lost')}, double applies ${sum('doubleApplies')}`;
}
