// The peer analyzer's own cases (network-config-analyzer, ../shared/connectivity/nca), read from
// there: every pod pair of every case must get exactly the connections its expected.json lists.
// No case differs from Calico's semantics as modelled here, so none is listed as an exception;
// a case that starts to differ must be added to DIFFERENT_BY_DESIGN with its reason.
import { describe, expect, it } from 'vitest';
import { compareCase, ncaCases, runNcaCase } from './nca-support.js';

const DIFFERENT_BY_DESIGN: Readonly<Record<string, string>> = {};

describe('network-config-analyzer cases', () => {
  const cases = ncaCases();

  it('finds the cases where the brief puts them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(27);
  });

  it.each(cases.filter((c) => !(c in DIFFERENT_BY_DESIGN)))('%s gives the expected connectivity map', async (name) => {
    const { expected, actual } = await runNcaCase(name);
    expect(compareCase(expected, actual)).toEqual([]);
    // The comparison can fail: the expected map is never empty unless the case allows nothing.
    expect(actual.size).toBe(Object.keys(expected.pairs).length);
  });
});
