import { describe, expect, it } from 'vitest';
import type { CommitStatus, StatusReporter } from '../../agent/report/commit-status.js';
import { statusPortFor, teeReporter } from '../../agent/report/status-port.js';

const recorder = (fail = false): StatusReporter & { seen: CommitStatus[] } => {
  const seen: CommitStatus[] = [];
  return {
    seen,
    post: async (s) => {
      seen.push(s);
      if (fail) throw new Error('forge down');
    },
  };
};

describe('statusPortFor', () => {
  it.each([
    ['validate', 'calico-gitops/prod/validate'],
    ['apply', 'calico-gitops/prod/apply'],
    ['drift', 'calico-gitops/prod/drift'],
  ] as const)('%s → %s', async (kind, context) => {
    const r = recorder();
    await statusPortFor({ reporter: r, cluster: 'prod', targetUrl: 'https://x/status' }).post({ sha: 'abc', kind, state: 'success', description: 'ok' });
    expect(r.seen).toEqual([{ sha: 'abc', context, state: 'success', description: 'ok', targetUrl: 'https://x/status' }]);
  });
});

describe('teeReporter', () => {
  it('posts to all and reports a failure after trying every one', async () => {
    const a = recorder(true);
    const b = recorder();
    const err = await teeReporter([a, b]).post({ sha: 's', context: 'c', state: 'pending', description: 'd' }).catch((e: unknown) => e);
    expect(String(err)).toBe('Error: forge down');
    expect(b.seen).toHaveLength(1);
  });
});
