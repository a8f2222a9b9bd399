// `calico-gitops plan`: read the repository, read the cluster, print what must change.
// Exit 0 in sync, 2 changes pending (or held, or conflicts), 1 on any error.
import type { Command } from 'commander';
import pino from 'pino';
import { loadConfig } from '../../config/config.js';
import { stagesFor } from '../../controller/stages.js';
import { AgentError, KubeError, ValidationError } from '../../domain/errors.js';
import { formatIssue, type Issue } from '../../domain/issue.js';
import { DEFAULT_INSTANCE } from '../../domain/ownership.js';
import type { Plan, Snapshot } from '../../domain/state.js';
import { createKubeClients } from '../../kube/client.js';
import { detectCluster } from '../../kube/detect.js';
import { createLiveCache } from '../../live/create-live-cache.js';
import { renderPlan } from '../../plan/render.js';
import { computeImpact } from '../../app/impact.js';
import { listedWorkloads } from '../../live/workload-cache.js';
import { kubeTransport } from '../../live/transport.js';
import type { ConnectivityDiff } from '../../connectivity/diff.js';
import { diffJson } from '../../connectivity/impact-report.js';
import { renderDiff } from '../../connectivity/render-text.js';
import { cloneOnce } from '../../source/clone-once.js';
import { readPolicyDir } from '../../source/read-dir.js';
import { watchAndRerun } from '../../source/watch-rerun.js';

export interface PlanFlags {
  readonly dir?: string;
  readonly repo?: string;
  readonly ref?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly json?: boolean;
  readonly instance?: string;
  readonly adopt?: boolean;
  readonly syncTimeout?: string;
  readonly watch?: boolean;
}

/** Where the command writes; the real terminal in main, buffers in tests. */
export interface PlanIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; hasColors?(): boolean };
  readonly stderr: { write(text: string): unknown };
}

export const EXIT = { inSync: 0, error: 1, pending: 2 } as const;

export function registerPlan(program: Command, io: PlanIo = { stdout: process.stdout, stderr: process.stderr }): void {
  program
    .command('plan')
    .description('show what must change to make the cluster equal to the repository (exit 0 in sync, 2 changes pending, 1 error)')
    .option('--dir <dir>', 'policy directory to read')
    .option('--repo <url>', 'policy repository to clone (https, ssh or file)')
    .option('--ref <ref>', 'branch, tag or commit of --repo')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--instance <name>', 'owner annotation value')
    .option('--adopt', 'plan to take over existing unowned objects with the same key')
    .option('--sync-timeout <seconds>', 'how long to wait for the live view of the cluster', '60')
    .option('--json', 'print the plan as JSON')
    .option('--watch', 'with --dir: plan again whenever a file changes (Ctrl-C stops)')
    .action(async (flags: PlanFlags) => {
      if (!flags.watch) {
        process.exitCode = await runPlan(flags, io);
        return;
      }
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      process.exitCode = await runPlanWatch(flags, io, stop.signal);
    });
}

export async function runPlan(flags: PlanFlags, io: PlanIo): Promise<number> {
  try {
    const { plan, warnings, impact } = await planFromFlags(flags);
    for (const w of warnings) io.stderr.write(`${formatIssue(w)}\n`);
    // The plan's own fields stay at the top; the connectivity diff (`connectivity --diff --json`'s shape) beside them.
    if (flags.json) io.stdout.write(`${JSON.stringify({ ...plan, impact: impact.ok ? diffJson(impact.diff) : { error: impact.message } }, null, 2)}\n`);
    else {
      // Under the resource diff, above the summary line (which stays last).
      const rendered = renderPlan(plan, { color: Boolean(io.stdout.isTTY) && (io.stdout.hasColors?.() ?? false) }).replace(/\n$/, '');
      const cut = rendered.lastIndexOf('\n');
      const connectivity = impact.ok ? `\nConnectivity (live workloads):\n${renderDiff(impact.diff, { limit: 50 })}` : `\nConnectivity not computed: ${impact.message}\n`;
      io.stdout.write(`${rendered.slice(0, cut + 1)}${connectivity}\n${rendered.slice(cut + 1)}\n`);
    }
    const pending = plan.steps.length > 0 || plan.skipped.length > 0 || plan.held !== undefined;
    return pending ? EXIT.pending : EXIT.inSync;
  } catch (err) {
    io.stderr.write(`calico-gitops plan: ${describe(err)}\n`);
    return EXIT.error;
  }
}

/** `plan --dir DIR --watch`: one plan now, another after each burst of changes, until `signal`. */
export async function runPlanWatch(flags: PlanFlags, io: PlanIo, signal: AbortSignal): Promise<number> {
  if (flags.dir === undefined) {
    io.stderr.write('calico-gitops plan: --watch needs --dir DIR\n');
    return EXIT.error;
  }
  let last: number = EXIT.inSync;
  await watchAndRerun({
    dir: flags.dir,
    signal,
    run: async (changed) => {
      if (changed.length > 0) io.stderr.write(`\n${changed.length} file(s) changed (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', …' : ''}): planning again\n`);
      last = await runPlan(flags, io);
    },
  });
  return last;
}

type ImpactResult = { readonly ok: true; readonly diff: ConnectivityDiff } | { readonly ok: false; readonly message: string };

async function planFromFlags(flags: PlanFlags): Promise<{ plan: Plan; warnings: readonly Issue[]; impact: ImpactResult }> {
  if ((flags.dir === undefined) === (flags.repo === undefined)) throw new AgentError('give exactly one of --dir DIR or --repo URL', { code: 'usage', disposition: 'stalled' });
  if (flags.ref !== undefined && flags.repo === undefined) throw new AgentError('--ref needs --repo', { code: 'usage', disposition: 'stalled' });
  const syncTimeoutMs = Number(flags.syncTimeout ?? '60') * 1000;
  if (!Number.isFinite(syncTimeoutMs) || syncTimeoutMs <= 0) throw new AgentError('--sync-timeout must be a positive number of seconds', { code: 'usage', disposition: 'stalled' });
  const config = loadConfig({
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    instance: flags.instance,
    adopt: flags.adopt === true ? 'true' : undefined,
  });

  const source = await readSource(flags);
  try {
    const clients = createKubeClients({
      ...(config.kubeconfig === undefined ? {} : { kubeconfig: config.kubeconfig }),
      ...(config.context === undefined ? {} : { context: config.context }),
    });
    const cluster = await detectCluster(clients, config.calicoVersion === undefined ? {} : { calicoVersionOverride: config.calicoVersion });
    // The agent's own composition of the stages, so `plan` shows what the agent would do.
    const stages = stagesFor({
      calicoVersion: cluster.calicoVersion,
      instance: config.instance ?? DEFAULT_INSTANCE,
      adopt: config.adopt ?? false,
      deleteBudgetPercent: config.deleteBudget ?? 25,
    });
    const desired = stages.buildDesired(source.snapshot);
    if (desired.errors.length > 0) throw invalid(desired.errors);

    const logger = pino({ level: 'silent' });
    const live = createLiveCache({ clients, cluster, logger });
    live.start();
    try {
      if (!(await live.waitForSync(syncTimeoutMs))) {
        const down = live.status().filter((s) => !s.synced);
        const why = down.map((s) => `${s.label}: ${s.lastError ?? 'not listed yet'}`);
        const forbidden = down.find((s) => /forbidden/i.test(s.lastError ?? ''));
        throw new KubeError(
          `the live view of the cluster did not sync within ${syncTimeoutMs / 1000}s (${why[0] ?? 'unknown'}${why.length > 1 ? `, and ${why.length - 1} more` : ''})`,
          forbidden ? { status: 403, reason: 'Forbidden' } : { status: 504, reason: 'Timeout' },
        );
      }
      const plan = stages.buildPlan({ snapshot: source.snapshot, desired: desired.state, live, approved: false });
      // The impact is extra information: a cluster that refuses to list pods still gets its plan.
      const impact: ImpactResult = await computeImpact({ workloads: listedWorkloads({ transport: kubeTransport(clients), origin: clients.server }), live, desired: desired.state, calicoVersion: cluster.calicoVersion, instance: config.instance ?? DEFAULT_INSTANCE }).then(
            (diff): ImpactResult => ({ ok: true, diff }),
            (err: unknown): ImpactResult => ({ ok: false, message: describe(err) }),
          );
      return { plan, warnings: desired.warnings, impact };
    } finally {
      await live.stop();
    }
  } finally {
    await source.cleanup();
  }
}

interface ReadSource {
  readonly snapshot: Snapshot;
  cleanup(): Promise<void>;
}

async function readSource(flags: PlanFlags): Promise<ReadSource> {
  if (flags.dir !== undefined) {
    const read = await readPolicyDir(flags.dir);
    if (read.issues.some((i) => i.severity === 'error')) throw invalid(read.issues);
    return { snapshot: snapshotOf(read, { revision: 'working-tree', author: '', message: '' }), cleanup: async () => undefined };
  }
  const clone = await cloneOnce({ url: flags.repo ?? '', ...(flags.ref === undefined ? {} : { ref: flags.ref }) });
  try {
    const read = await readPolicyDir(clone.dir);
    if (read.issues.some((i) => i.severity === 'error')) throw invalid(read.issues);
    // The commit message carries the delete trailer, as it does for the agent.
    return { snapshot: snapshotOf(read, { revision: clone.revision, author: clone.author, message: clone.message }), cleanup: clone.cleanup };
  } catch (err) {
    await clone.cleanup();
    throw err;
  }
}

function snapshotOf(read: Awaited<ReturnType<typeof readPolicyDir>>, commit: Omit<Snapshot, 'files' | 'issues'>): Snapshot {
  return {
    ...commit,
    files: read.files,
    issues: { errors: read.issues.filter((i) => i.severity === 'error'), warnings: read.issues.filter((i) => i.severity === 'warning') },
  };
}

function invalid(issues: readonly Issue[]): ValidationError {
  const errors = issues.filter((i) => i.severity === 'error');
  return new ValidationError(`the repository is invalid (${errors.length} error(s)):\n${errors.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
}

/** One line (or the issue list) a person can act on; never a stack trace or a token. */
function describe(err: unknown): string {
  if (err instanceof AgentError) return err.message;
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
