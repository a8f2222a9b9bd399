import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../agent/config/config.js';
import { parseDuration } from '../../agent/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['500ms', 500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['15', 15_000],
    ['', undefined],
    ['10x', undefined],
    ['s', undefined],
  ])('%j → %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const result = parseConfig({ flags: {}, env: {} });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      branch: 'main',
      path: '.',
      cluster: 'default',
      instance: 'calico-gitops',
      namespace: 'calico-gitops',
      executorServiceAccount: 'calico-gitops-executor',
      redis: 'redis://127.0.0.1:6379',
      pollInterval: 30_000,
      listen: ':8080',
      workers: 1,
      deleteBudget: 25,
      selfHeal: true,
      adopt: false,
    });
    expect(result.config.repo).toBeUndefined();
  });

  it('takes environment variables and lets flags win', () => {
    const result = parseConfig({
      flags: { pollInterval: '5s' },
      env: { CALICO_GITOPS_POLL_INTERVAL: '1m', CALICO_GITOPS_CLUSTER: 'prod-eu', CALICO_GITOPS_WORKERS: '3' },
    });
    expect(result.ok && result.config).toMatchObject({ pollInterval: 5_000, cluster: 'prod-eu', workers: 3 });
  });

  it('lists every problem at once, naming flag or variable', () => {
    const result = parseConfig({
      flags: { pollInterval: 'soon', workers: '-1' },
      env: { CALICO_GITOPS_CLUSTER: 'Prod_EU', CALICO_GITOPS_FORGE: 'bitbucket' },
      required: ['repo'],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const messages = result.issues.map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        '--repo (or CALICO_GITOPS_REPO) is required',
        '--poll-interval must be a duration such as 30s, 5m or 1h (got "soon")',
        '--workers must be a whole number from 0 to 64 (got "-1")',
        expect.stringContaining('CALICO_GITOPS_CLUSTER must be a DNS label'),
        expect.stringContaining('CALICO_GITOPS_FORGE must be one of github, gitlab, gitea'),
      ]),
    );
    expect(result.issues).toHaveLength(5);
  });

  it('never echoes a secret-bearing value', () => {
    const result = parseConfig({ flags: { redis: '' }, env: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.message).toBe('--redis must not be empty');
  });

  it('requires a token file with a forge', () => {
    const result = parseConfig({ flags: { forge: 'github' }, env: {} });
    expect(!result.ok && result.issues.map((p) => p.message)).toEqual(['--forge needs --forge-token-file']);
  });

  it.each([
    [{ executor: 'api', podTimeout: '5m' }, {}, ['--pod-timeout applies to the calicoctl executor only; --executor api runs no pod']],
    [{ executor: 'api' }, { CALICO_GITOPS_POD_TIMEOUT: '5m' }, ['CALICO_GITOPS_POD_TIMEOUT applies to the calicoctl executor only; --executor api runs no pod']],
    [{}, { CALICO_GITOPS_EXECUTOR: 'api', CALICO_GITOPS_CALICOCTL_IMAGE: 'calico/ctl:v3.31.2' }, ['CALICO_GITOPS_CALICOCTL_IMAGE applies to the calicoctl executor only; --executor api runs no pod']],
    [{ executor: 'api' }, {}, []],
    [{ executor: 'calicoctl', podTimeout: '5m', calicoctlImage: 'calico/ctl:v3.31.2' }, {}, []],
  ])('pod-only options given with --executor api are refused (flags %j, env %j)', (flags, env, expected) => {
    const result = parseConfig({ flags, env });
    expect(result.ok ? [] : result.issues.map((i) => i.message)).toEqual(expected);
  });

  it('takes --public-url as an http(s) base without a trailing slash, and refuses anything else', () => {
    const ok = parseConfig({ flags: { publicUrl: 'https://calico-gitops.example.com/agent/' }, env: {} });
    expect(ok.ok && ok.config.publicUrl).toBe('https://calico-gitops.example.com/agent');
    const none = parseConfig({ flags: {}, env: {} });
    expect(none.ok && none.config.publicUrl).toBeUndefined();
    for (const bad of ['calico-gitops.example.com', 'ftp://x.example', 'https://x.example/?a=1']) {
      const result = parseConfig({ flags: { publicUrl: bad }, env: {} });
      expect(!result.ok && result.issues[0]?.message).toMatch(/^--public-url must be an http\(s\) URL/);
    }
  });
});
