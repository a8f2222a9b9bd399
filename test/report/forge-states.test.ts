import { describe, expect, it } from 'vitest';
import { statusContext, truncateDescription } from '../../agent/report/commit-status.js';
import { toGiteaState, toGitHubState, toGitLabState } from '../../agent/report/forge-states.js';
import type { StatusState } from '../../agent/report/commit-status.js';

describe('state mapping', () => {
  it.each<[StatusState, string, string, string]>([
    ['pending', 'pending', 'pending', 'pending'],
    ['success', 'success', 'success', 'success'],
    ['failure', 'failure', 'failed', 'failure'],
    ['error', 'error', 'failed', 'error'],
  ])('%s → GitHub %s, GitLab %s, Gitea %s', (state, github, gitlab, gitea) => {
    expect(toGitHubState(state)).toBe(github);
    expect(toGitLabState(state)).toBe(gitlab);
    expect(toGiteaState(state)).toBe(gitea);
  });
});

describe('truncateDescription', () => {
  it.each([
    ['short text stays', 'applied 3, deleted 1', 140, 'applied 3, deleted 1'],
    ['whitespace collapses', '  invalid:\n  policies/a.yaml:12   bad selector ', 140, 'invalid: policies/a.yaml:12 bad selector'],
    ['exactly the limit stays', 'x'.repeat(140), 140, 'x'.repeat(140)],
    ['one over is cut with …', 'x'.repeat(141), 140, `${'x'.repeat(139)}…`],
    ['cut drops the space before …', 'abcd efgh', 6, 'abcd…'],
    ['counts code points, not UTF-16 units', '🔥'.repeat(10), 5, `${'🔥'.repeat(4)}…`],
    ['empty', '', 140, ''],
  ])('%s', (_name, input, max, expected) => {
    const out = truncateDescription(input, max);
    expect(out).toBe(expected);
    expect([...out].length).toBeLessThanOrEqual(max);
  });
});

describe('statusContext', () => {
  it.each([
    ['prod', 'validate', 'calico-gitops/prod/validate'],
    ['default', 'apply', 'calico-gitops/default/apply'],
    ['eu-1', 'drift', 'calico-gitops/eu-1/drift'],
  ] as const)('%s %s', (cluster, kind, expected) => {
    expect(statusContext(cluster, kind)).toBe(expected);
  });
});
