import { describe, expect, it } from 'vitest';
import { forgeRepoFrom } from '../../agent/report/forge-defaults.js';

describe('forgeRepoFrom', () => {
  it.each([
    ['https://github.com/acme/policies.git', 'acme/policies'],
    ['https://gitlab.example.com/group/sub/policies', 'group/sub/policies'],
    ['git@github.com:acme/policies.git', 'acme/policies'],
    ['ssh://git@gitea.example.com/acme/policies.git', 'acme/policies'],
  ])('%s → %s', (url, repo) => expect(forgeRepoFrom(url)).toBe(repo));
});
