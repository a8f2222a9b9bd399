// Vitest global setup: gives the fault tests a ledger directory and prints the suite's one line at
// the end of the run (only when fault tests ran).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEDGER_ENV, readLedger, summarizeLedger } from './ledger.js';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'cg-faults-'));
  process.env[LEDGER_ENV] = dir;
  return () => {
    const records = readLedger(dir);
    if (records.length > 0) process.stdout.write(`\n${summarizeLedger(records)}\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
