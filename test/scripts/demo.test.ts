// `npm run demo` end to end, as a user runs it, on a machine where nothing answers at the Redis
// address: it starts its own redis-server, tells the whole story, and leaves nothing running.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/agent-harness.js';
import { REPO_ROOT } from '../support/cli.js';

function runDemo(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env }, timeout: 170_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run demo', () => {
  it('tells the story step by step and stops everything it started', async () => {
    const nothingThere = await freePort();
    const { code, out } = await runDemo({ CALICO_GITOPS_REDIS: `redis://127.0.0.1:${nothingThere}` });
    expect(out).not.toContain('demo failed');
    expect(code).toBe(0);
    const own = /started redis-server \(pid (\d+)\) at (redis:\/\/127\.0\.0\.1:\d+)/.exec(out);
    expect(own).not.toBeNull();

    const section = (n: number) => out.split(`\u001b[1m${n}. `)[1]?.split(`\u001b[1m${n + 1}. `)[0] ?? '';
    // 3. First sync, statuses as the forge shows them on the commit.
    expect(section(3)).toMatch(/✔ calico-gitops\/demo-\w+\/validate {2}success: valid: 9 resources/);
    expect(section(3)).toMatch(/✔ calico-gitops\/demo-\w+\/apply {2}success: applied 9, deleted 0/);
    expect(section(3)).toContain('networkpolicy.crd.projectcalico.org/default.allow-same-namespace');
    // 4. The port commit: its plan diff, then applied.
    expect(section(4)).toContain('~ update NetworkPolicy test1/allow-same-namespace');
    expect(section(4)).toMatch(/\+ +- 8443/);
    expect(section(4)).toContain('0 to create, 1 to update, 0 to delete (8 unchanged)');
    expect(section(4)).toMatch(/apply {2}success: applied 1, deleted 0/);
    expect(section(4)).toContain('port 8443 in the cluster: open');
    // 5. A kubectl edit by hand: drift status and alert naming kubectl-edit, healed, audited.
    expect(section(5)).toMatch(/✘ calico-gitops\/demo-\w+\/drift {2}failure: drift: NetworkPolicy\/test1\/allow-same-namespace modified by kubectl-edit/);
    expect(section(5)).toMatch(/alert: .*"state":"firing".*"manager":"kubectl-edit"/);
    expect(section(5)).toMatch(/✔ calico-gitops\/demo-\w+\/drift {2}success: no drift/);
    expect(section(5)).toContain('audit: heal of NetworkPolicy/test1/allow-same-namespace (changed by kubectl-edit), order back to 100');
    // 6. The invalid commit: file:line, no apply.
    expect(section(6)).toMatch(/✘ calico-gitops\/demo-\w+\/validate {2}failure: invalid: policies\/namespaces\/test1\/isolation\.yaml:\d+ invalid selector/);
    expect(section(6)).toContain('apply status: none; policy in the cluster unchanged');
    // 7. Rollback of the port commit, applied by the agent.
    expect(section(7)).toContain('Calico-GitOps-Rollback-Of:');
    expect(section(7)).toMatch(/-\s+- 8443/);
    expect(section(7)).toMatch(/pushed \w+ to main/);
    expect(section(7)).toContain('port 8443 in the cluster: closed');
    // 8. History of that policy: created, opened, healed, rolled back.
    const history = section(8).split('\n').filter((l) => l.includes('NetworkPolicy/test1/allow-same-namespace  '));
    const actions = history.map((l) => /\s(create|update|delete|heal|rollback)\s/.exec(l)?.[1]);
    expect(actions.slice(1)).toEqual(['heal', 'update', 'create']);
    // The rollback's own entry, marked as one.
    expect(actions[0]).toBe('rollback');
    expect(section(8)).toMatch(/the rollback commit is audited: rollback by \w+, marked as a rollback of \w+/);
    // 9. Uninstall: nothing owned left, the hand-made NetworkSet untouched, the agent gone.
    expect(section(9)).toMatch(/uninstalled: 9 owned objects deleted; \d+ agent objects removed, \d+ Redis keys deleted/);
    expect(section(9)).toContain('owned objects left in the cluster: 0');
    expect(section(9)).toMatch(/not ours, untouched: .*NetworkSet test2\/hand-made/);
    expect(section(9)).toContain("the agent's Deployments and ServiceAccounts: gone; Redis keys of the cluster: 0");
    expect(out).toMatch(/Done in [\d.]+ s/);

    // Nothing left running: its redis-server is gone.
    const pid = Number(own?.[1]);
    expect(alive(pid)).toBe(false);
  }, 180_000);
});
