import { describe, it, expect } from 'vitest';
import { fileInvalid, summarize } from './calico/messages.js';
import type { BatchResult } from './calico/messages.js';
import { comparableVersion, mismatchMessage } from './calico/version-check.js';

const text = (r: BatchResult): string => summarize(r).lines.map((l) => `${l.stream}: ${l.text}`).join('\n');

describe('calicoctl result messages', () => {
  it.each<[BatchResult, number, string]>([
    [{ verb: 'apply', total: 1, handled: 1, singleKind: 'GlobalNetworkPolicy', errors: [] }, 0, "stdout: Successfully applied 1 'GlobalNetworkPolicy' resource(s)"],
    [{ verb: 'apply', total: 3, handled: 3, singleKind: '', errors: [] }, 0, 'stdout: Successfully applied 3 resource(s)'],
    [{ verb: 'apply', total: 1, handled: 0, singleKind: 'Tier', errors: ['boom'] }, 1, "stderr: Failed to apply 'Tier' resource: [boom]"],
    [{ verb: 'apply', total: 2, handled: 0, singleKind: '', errors: ['boom'] }, 1, 'stderr: Failed to apply any resources: [boom]'],
    [
      { verb: 'apply', total: 3, handled: 1, singleKind: '', errors: ['boom'] },
      1,
      'stdout: Partial success: applied the first 1 out of 3 resources:\nstderr: Hit error(s): [boom]',
    ],
    [{ verb: 'create', total: 1, handled: 0, singleKind: 'HostEndpoint', errors: ['resource already exists: HostEndpoint(h)'] }, 1, "stderr: Failed to create 'HostEndpoint' resource: [resource already exists: HostEndpoint(h)]"],
    [{ verb: 'replace', total: 1, handled: 0, singleKind: 'NetworkSet', errors: ['nope'] }, 1, "stderr: Failed to replace 'NetworkSet' resource: nope"],
    [{ verb: 'delete', total: 2, handled: 2, singleKind: 'GlobalNetworkPolicy', errors: [] }, 0, "stdout: Successfully deleted 2 'GlobalNetworkPolicy' resource(s)"],
    [{ verb: 'delete', total: 1, handled: 0, singleKind: 'GlobalNetworkPolicy', errors: ['gone'] }, 1, "stderr: Failed to delete 'GlobalNetworkPolicy' resource: gone"],
    [{ verb: 'validate', total: 1, handled: 1, singleKind: 'Tier', errors: [] }, 0, "stdout: Successfully validated 1 'Tier' resource(s)"],
    [{ verb: 'validate', total: 1, handled: 0, singleKind: 'Tier', errors: ['bad'] }, 1, "stderr: failed to validate 'Tier' resource: [bad]"],
  ])('%j', (result, exitCode, expected) => {
    expect(summarize(result).exitCode).toBe(exitCode);
    expect(text(result)).toBe(expected);
  });

  it('rewrites unknown-field decode errors the way calicoctl does', () => {
    expect(fileInvalid('apply', 'unknown field "selectr"').lines[0]?.text).toBe('field in document is not recognized or is in the wrong location: selectr');
    expect(fileInvalid('apply', 'open /x: no such file or directory').lines[0]?.text).toBe('Failed to execute command: open /x: no such file or directory');
  });

  it.each([
    ['v3.31.2', '3.31.2'],
    ['3.31.2', '3.31.2'],
    ['v3.31.2-0.dev-123', '3.31.2'],
  ])('compares %s as %s', (input, expected) => expect(comparableVersion(input)).toBe(expected));

  it('prints the mismatch like calicoctl', () => {
    expect(mismatchMessage('v3.30.0', 'v3.31.2')).toBe('Version mismatch.\nClient Version:   v3.30.0\nCluster Version:  3.31.2\nUse --allow-version-mismatch to override.\n');
  });
});
