// Entry point of the `calico-gitops` command. Each subcommand lives in agent/cli/commands/ and
// registers itself here; only agent/cli prints to the terminal and sets exit codes.
import { Command } from 'commander';

type Register = (program: Command) => void;

// Loaded on demand: a command's module graph is the CLI's start-up cost (the agent's pulls in the
// Kubernetes client, BullMQ and the connectivity engine; `validate` needs none of them), so a
// command line loads only the command it names, and every command only for the top-level help or
// a name that is none of them.
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  agent: async () => (await import('./commands/agent.js')).registerAgent,
  worker: async () => (await import('./commands/agent.js')).registerAgent,
  status: async () => (await import('./commands/status.js')).registerStatus,
  approve: async () => (await import('./commands/status.js')).registerStatus,
  connectivity: async () => (await import('./commands/connectivity.js')).registerConnectivity,
  drift: async () => (await import('./commands/drift.js')).registerDrift,
  heal: async () => (await import('./commands/drift.js')).registerDrift,
  history: async () => (await import('./commands/history.js')).registerHistory,
  rollback: async () => (await import('./commands/rollback.js')).registerRollback,
  uninstall: async () => (await import('./commands/uninstall.js')).registerUninstall,
};

/** The program with the command `name` registered, or with every command when `name` is none. */
export async function buildProgram(name?: string): Promise<Command> {
  const program = new Command('calico-gitops')
    .description('Keep Calico network policy in Git: validate, plan, apply, report.')
    .showHelpAfterError()
    .exitOverride();
  const one = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  const loaders = one ? [one] : Object.values(COMMANDS);
  const registered = new Set<Register>();
  for (const register of await Promise.all(loaders.map((load) => load()))) {
    // Some modules register two commands (`agent` and `worker`, `status` and `approve`, `drift` and `heal`).
    if (registered.has(register)) continue;
    registered.add(register);
    register(program);
  }
  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  const program = await buildProgram(argv[2]);
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
