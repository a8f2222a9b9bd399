// The suite's closing line is computed from the records the fault tests wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEDGER_ENV, readLedger, recordFault, summarizeLedger, type FaultRecord } from './ledger.js';

const rec = (r: Partial<FaultRecord>): FaultRecord => ({ fault: 'f', injected: 1, syncs: 1, converged: 1, lost: 0, doubleApplies: 0, ...r });

describe('summarizeLedger', () => {
  it.each([
    [[], 'faults: injected 0, syncs converged 0, changes lost 0, double applies 0'],
    [[rec({ injected: 3 }), rec({ injected: 2 })], 'faults: injected 5, syncs converged 2, changes lost 0, double applies 0'],
    [[rec({}), rec({ converged: 0, doubleApplies: 1 })], 'faults: injected 2, syncs converged 1 (of 2 syncs), changes lost 0, double applies 1'],
    [[rec({ converged: 0, lost: 2 })], 'faults: injected 1, syncs converged 0 (of 1 syncs), changes lost 2, double applies 0'],
  ])('%j', (records, line) => {
    expect(summarizeLedger(records)).toBe(line);
  });

  it('reads back what the tests recorded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-ledger-'));
    const saved = process.env[LEDGER_ENV];
    process.env[LEDGER_ENV] = join(dir, 'ledger');
    try {
      recordFault(rec({ fault: 'a', injected: 4 }));
      recordFault(rec({ fault: 'b', doubleApplies: 1 }));
      expect(readLedger(join(dir, 'ledger')).map((r) => [r.fault, r.injected, r.doubleApplies])).toEqual([['a', 4, 0], ['b', 1, 1]]);
    } finally {
      if (saved === undefined) delete process.env[LEDGER_ENV];
      else process.env[LEDGER_ENV] = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
