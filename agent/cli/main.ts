// Entry point of the `calico-gitops` command. Each subcommand lives in agent/cli/commands/ and
// registers itself here; only agent/cli prints to the terminal and sets exit codes.
import { Command } from 'commander';
import { registerValidate } from './commands/validate.js';
import { registerPlan } from './commands/plan.js';
import { registerAgent } from './commands/agent.js';
import { registerStatus } from './commands/status.js';
import { registerConnectivity } from './commands/connectivity.js';
import { registerDrift } from './commands/drift.js';
import { registerHistory } from './commands/history.js';
import { registerRollback } from './commands/rollback.js';
import { registerUninstall } from './commands/uninstall.js';

export function buildProgram(): Command {
  const program = new Command('calico-gitops')
    .description('Keep Calico network policy in Git: validate, plan, apply, report.')
    .showHelpAfterError()
    .exitOverride();
  registerValidate(program);
  registerPlan(program);
  registerAgent(program);
  registerStatus(program);
  registerConnectivity(program);
  registerDrift(program);
  registerHistory(program);
  registerRollback(program);
  registerUninstall(program);
  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    // commander signals --help/--version and usage errors by throwing with an exitCode.
    const code = (err as { exitCode?: unknown }).exitCode;
    if (typeof code === 'number') process.exit(code === 0 ? 0 : 1);
    process.stderr.write(`calico-gitops: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

await main(process.argv);
