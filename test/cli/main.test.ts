// The entry point loads only the command a command line names; the top-level help and an unknown
// name still see every command.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const COMMANDS = ['validate', 'plan', 'agent', 'worker', 'status', 'approve', 'connectivity', 'drift', 'heal', 'history', 'rollback', 'uninstall'];

describe('calico-gitops', () => {
  it('--help lists every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('an unknown command exits 1 naming it, with the list of commands', async () => {
    const r = await runCli(['bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: unknown command 'bogus'");
    for (const c of COMMANDS) expect(r.stderr).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it.each([['approve'], ['heal']])('%s, registered by another command’s module, has its own help', async (c) => {
    const r = await runCli([c, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: calico-gitops ${c} `);
  });
});
