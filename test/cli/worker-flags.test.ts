// `calico-gitops worker` takes only the flags a worker uses (queue, cluster, executor, audit, HTTP
// probes): the controller's (repository, webhooks, polling, forge, drift) would do nothing there,
// so they are refused at start; their environment variables are ignored (one ConfigMap commonly
// feeds the agent and the worker Deployments).
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('calico-gitops worker flags', () => {
  it.each([
    ['--repo', 'file:///policies'],
    ['--webhook-secret-file', '/etc/secret'],
    ['--cache-dir', '/tmp/x'],
  ])('refuses the controller flag %s at start (exit 1, the flag named)', async (flag, value) => {
    const r = await runCli(['worker', flag, value]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`unknown option '${flag}'`);
  });

  it("--help lists the worker's flags only", async () => {
    const r = await runCli(['worker', '--help']);
    expect(r.code).toBe(0);
    for (const shown of ['--redis', '--cluster', '--executor', '--pod-timeout', '--verify-timeout', '--audit-max-entries', '--listen', '--workers']) expect(r.stdout).toContain(shown);
    for (const hidden of ['--repo', '--poll-interval', '--webhook-secret-file', '--forge', '--cache-dir', '--alert-webhook-file']) expect(r.stdout).not.toContain(hidden);
  });
});
