// `calico-gitops rollback <sha> [--to] [--push] [--dry-run] [--repo URL] [--branch B]`: in a temporary
// clone, one `git revert` commit of <sha> (with --to: one commit restoring the policy folder as it
// was at <sha>, undoing every later commit), trailer `Calico-GitOps-Rollback-Of: …`; prints the plan
// the revert will cause in the cluster, and pushes only with --push. The agent then validates,
// applies and audits it like any commit. Exit 0 done (pushed or not), 1 on any error (nothing pushed).
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../config/config.js';
import { AgentError } from '../../domain/errors.js';
import { gitCredentialsFrom } from '../../source/git-auth.js';
import { redactUrl } from '../../domain/redact.js';
import { prepareRevert, type PreparedRevert } from '../../source/revert.js';
import { addConfigFlags, configFlags } from '../config-flags.js';
import { processStreams, type CliStreams } from '../with-redis.js';
import { EXIT as PLAN_EXIT, runPlan } from './plan.js';

const CONFIG = ['repo', 'branch', 'path', 'gitTokenFile', 'sshKeyFile', 'kubeconfig', 'context', 'instance', 'adopt', 'deleteBudget'] as const;
const AUTHOR = /^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/;

export interface RollbackFlags {
  readonly to?: boolean;
  readonly push?: boolean;
  readonly dryRun?: boolean;
  readonly author?: string;
  readonly reason?: string;
  readonly syncTimeout?: string;
}

export function registerRollback(program: Command, io: CliStreams = processStreams): void {
  addConfigFlags(
    program
      .command('rollback')
      .description('make a git revert commit of <sha> (reviewed, audited and applied by the normal flow); shows its plan, pushes with --push')
      .argument('<sha>', 'the commit to roll back (with --to: the commit to return to)')
      .option('--to', 'undo every commit after <sha> in one commit that restores the policy folder as it was at <sha>')
      .option('--push', 'push the rollback commit to the branch (without it nothing leaves this machine)')
      .option('--dry-run', 'show the rollback commit and its plan, never push')
      .option('--author <ident>', 'author of the rollback commit, "Name <email>"', 'calico-gitops rollback <rollback@calico-gitops.invalid>')
      .option('--reason <text>', 'a paragraph for the commit message: who asked and why')
      .option('--sync-timeout <seconds>', 'how long to wait for the live view of the cluster', '60'),
    CONFIG,
  ).action(async (sha: string, options: Record<string, unknown>) => {
    process.exitCode = await runRollback(sha, options, io);
  });
}

export async function runRollback(sha: string, options: Record<string, unknown>, io: CliStreams): Promise<number> {
  const flags = options as RollbackFlags;
  const fail = (message: string): number => {
    io.stderr.write(`calico-gitops rollback: ${message}\n`);
    return 1;
  };
  if (flags.push && flags.dryRun) return fail('--push and --dry-run contradict each other: give one');
  const author = AUTHOR.exec(flags.author ?? '');
  if (!author?.[1] || !author[2]) return fail(`--author must be "Name <email>" (got ${JSON.stringify(flags.author)})`);
  let config: Config;
  try {
    config = loadConfig(configFlags(options), ['repo']);
  } catch (err) {
    return fail(oneLine(err));
  }

  let prepared: PreparedRevert | undefined;
  try {
    prepared = await prepareRevert({
      url: config.repo ?? '',
      branch: config.branch,
      target: flags.to ? { mode: 'to', sha, path: config.path } : { mode: 'revert', shas: [sha] },
      author: { name: author[1], email: author[2] },
      ...(flags.reason ? { reason: flags.reason } : {}),
      ...gitCredentialsFrom(config),
      // Like `agent`: git's own variables are dropped by the runner, the token never travels in argv.
      baseEnv: process.env,
    });
    const where = `${config.branch} of ${redactUrl(config.repo ?? '')}`;
    io.stdout.write(`rollback commit ${prepared.sha.slice(0, 12)} on top of ${prepared.parent.slice(0, 12)} (${where}):\n\n`);
    io.stdout.write(`${prepared.message.trimEnd().split('\n').map((l) => `    ${l}`.trimEnd()).join('\n')}\n\n`);
    io.stdout.write(`what it will change in the cluster once the agent applies it:\n`);
    // The same composition as `plan --dir`: the clone's policy folder against the live cluster.
    const planned = await runPlan(
      {
        dir: join(prepared.dir, config.path),
        ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
        ...(config.context ? { context: config.context } : {}),
        instance: config.instance,
        adopt: config.adopt,
        ...(flags.syncTimeout ? { syncTimeout: flags.syncTimeout } : {}),
      },
      io,
    );
    if (planned === PLAN_EXIT.error) return fail('the plan of the rollback commit failed (see above); nothing pushed');
    const push = flags.push === true;
    if (push) await prepared.push();
    io.stdout.write(
      push
        ? `pushed ${prepared.sha.slice(0, 12)} to ${where}: the agent validates, applies and audits it as a rollback\n`
        : `not pushed${flags.dryRun ? ' (dry run)' : ''}: run again with --push to push it\n`,
    );
    return 0;
  } catch (err) {
    return fail(`${oneLine(err)}; nothing pushed`);
  } finally {
    await prepared?.cleanup();
  }
}

/** AgentErrors are written to be shown; anything else shows its first line only (never a stack). */
function oneLine(err: unknown): string {
  if (err instanceof AgentError) return err.message;
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
