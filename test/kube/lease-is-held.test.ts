import { describe, expect, it } from 'vitest';
import { leaseIsHeld, type LeaseRecord } from '../../agent/kube/lease-store.js';

const now = new Date('2026-11-24T12:00:00Z');
const lease = (holderIdentity: string, renewedSecondsAgo: number): LeaseRecord => ({
  holderIdentity,
  leaseDurationSeconds: 15,
  acquireTime: new Date(now.getTime() - 60_000),
  renewTime: new Date(now.getTime() - renewedSecondsAgo * 1000),
  leaseTransitions: 1,
});

describe('leaseIsHeld', () => {
  it.each([
    ['no Lease yet', undefined, false],
    ['released (empty holder)', lease('', 1), false],
    ['renewed 5 s ago, 15 s term', lease('agent-a', 5), true],
    ['renewed 15 s ago: the term just ran out', lease('agent-a', 15), false],
    ['renewed a minute ago', lease('agent-a', 60), false],
  ])('%s → %s', (_name, record, held) => expect(leaseIsHeld(record, now)).toBe(held));
});
