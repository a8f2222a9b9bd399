// `--executor api` is not built: it is refused at start, clearly, and --help offers only what works.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('--executor', () => {
  it('refuses api at start with a message saying what applies changes, and starts nothing', async () => {
    const r = await runCli(['worker', '--executor', 'api', '--cluster', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--executor api is not available yet: changes are applied by calicoctl pods (--executor calicoctl)');
  });

  it('is refused from the environment too', async () => {
    const r = await runCli(['worker'], { env: { CALICO_GITOPS_EXECUTOR: 'api' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CALICO_GITOPS_EXECUTOR api is not available yet');
  });

  it('--help offers only calicoctl', async () => {
    const r = await runCli(['agent', '--help']);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('--executor')) ?? '';
    expect(line).toContain('calicoctl');
    expect(line).not.toMatch(/\bapi\b/);
  });
});
