import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../agent/report/audit-log.js';
import { renderAuditTable } from '../../agent/report/audit-render.js';

const records: AuditRecord[] = [
  {
    id: '2-0',
    time: '2026-11-24T12:05:00.123Z',
    revision: 'b'.repeat(40),
    author: 'Bob <bob@example.test>',
    subject: 'Revert "open 8080"',
    action: 'rollback',
    resource: 'GlobalNetworkPolicy//web',
    jobId: 'sync-prod-bbbb-2',
    result: 'ok',
    rollbackOf: ['c'.repeat(40)],
  },
  {
    id: '1-0',
    time: '2026-11-24T12:00:00.000Z',
    revision: 'a'.repeat(40),
    author: 'calico-gitops (self-heal)',
    action: 'heal',
    resource: 'NetworkPolicy/test1/deny',
    jobId: 'heal-prod-1',
    result: 'failed',
    message: 'forbidden: no rights',
    fieldManager: 'kubectl-edit',
  },
];

describe('renderAuditTable', () => {
  it('prints one aligned row per entry, in the order given, without colour unless asked', () => {
    const text = renderAuditTable(records, { color: false });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+RESOURCE\s+COMMIT\s+AUTHOR\s+SUBJECT\s+RESULT\s+JOB$/);
    expect(lines[1]).toMatch(/^2026-11-24T12:05:00Z\s+rollback\s+GlobalNetworkPolicy\/\/web\s+bbbbbbbbbbbb\s+Bob <bob@example.test>\s+Revert "open 8080" \(rolls back cccccccccccc\)\s+ok\s+sync-prod-bbbb-2$/);
    expect(lines[2]).toMatch(/heal\s+NetworkPolicy\/test1\/deny\s+aaaaaaaaaaaa\s+calico-gitops \(self-heal\)\s+\(drifted by kubectl-edit\)\s+failed: forbidden: no rights\s+heal-prod-1$/);
    // Columns line up: ACTION starts at the same offset on every line.
    const at = lines.map((l) => l.search(/rollback|heal|ACTION/));
    expect(new Set(at).size).toBe(1);
    expect(text).not.toContain('\u001b[');
  });

  it('colours the action and a failed result on a terminal', () => {
    const text = renderAuditTable(records, { color: true });
    expect(text).toContain('\u001b[36mrollback');
    expect(text).toContain('\u001b[35mheal');
    expect(text).toContain('\u001b[31mfailed: forbidden');
  });
});
