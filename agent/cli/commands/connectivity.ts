// `calico-gitops connectivity`: which peers may talk to which, per protocol and port, under a
// policy set (a directory or a repository revision) on given workloads (a file, or the cluster
// read-only); `--diff REV1 REV2` / `--dir A --dir B` shows what a change opens and closes.
// Exit 0 on success, 1 on any error.
import type { Command } from 'commander';
import { analyzeConnectivity, type Analysis } from '../../connectivity/analyze.js';
import { cidrPeers, listConnections, peerFilter, type PeerFilter } from '../../connectivity/connections.js';
import { diffConnectivity } from '../../connectivity/diff.js';
import { diffJson } from '../../connectivity/impact-report.js';
import type { PolicyInput } from '../../connectivity/policy-model.js';
import { renderConnections, renderDiff } from '../../connectivity/render-text.js';
import type { Workloads } from '../../connectivity/workloads.js';
import { loadConfig } from '../../config/config.js';
import { buildDesiredState } from '../../desired/index.js';
import { DEFAULT_CALICO_VERSION, type CalicoVersion } from '../../domain/calico-version.js';
import { AgentError, ValidationError } from '../../domain/errors.js';
import { formatIssue, type Issue } from '../../domain/issue.js';
import { cloneOnce } from '../../source/clone-once.js';
import { readPolicyDir } from '../../source/read-dir.js';
import { readWorkloadsFile } from '../../source/read-workloads.js';

export interface ConnectivityFlags {
  readonly dir?: readonly string[];
  readonly repo?: string;
  readonly ref?: string;
  readonly diff?: readonly string[];
  readonly workloads?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly calicoVersion?: string;
  readonly from?: string;
  readonly to?: string;
  readonly json?: boolean;
  readonly syncTimeout?: string;
}

export interface ConnectivityIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const usage = (message: string) => new AgentError(message, { code: 'usage', disposition: 'stalled' });

export function registerConnectivity(program: Command, io: ConnectivityIo = { stdout: process.stdout, stderr: process.stderr }): void {
  program
    .command('connectivity')
    .description('show which peers may connect under a policy set, or what a change opens and closes (exit 0 ok, 1 error)')
    .option('--dir <dir>', 'policy directory (give two for a diff: --dir BEFORE --dir AFTER)', collect)
    .option('--repo <url>', 'policy repository to clone (https, ssh or file)')
    .option('--ref <ref>', 'branch, tag or commit of --repo')
    .option('--diff <revisions...>', 'with --repo: compare two revisions (REV1 REV2)')
    .option('--workloads <file>', 'namespaces, pods, service accounts, host endpoints and network sets (kubectl get ... -o yaml)')
    .option('--kubeconfig <file>', 'read the workloads from this cluster (read-only)')
    .option('--context <name>', 'kubeconfig context')
    .option('--calico-version <version>', 'Calico version whose rules apply (default: the cluster\'s, or v3.31.2)')
    .option('--from <peer>', 'only connections from this peer (ns/pod, ns/*, hostendpoint/NAME or a CIDR)')
    .option('--to <peer>', 'only connections to this peer')
    .option('--sync-timeout <seconds>', 'with --kubeconfig: how long to wait for the live view', '60')
    .option('--json', 'print JSON')
    .action(async (flags: ConnectivityFlags) => {
      process.exitCode = await runConnectivity(flags, io);
    });
}

export async function runConnectivity(flags: ConnectivityFlags, io: ConnectivityIo): Promise<number> {
  try {
    const request = checkUsage(flags);
    const cluster = flags.kubeconfig !== undefined ? await openCluster(flags) : undefined;
    try {
      const calicoVersion = loadConfig({ calicoVersion: flags.calicoVersion }).calicoVersion ?? cluster?.calicoVersion ?? DEFAULT_CALICO_VERSION;
      const sets: PolicyInput[][] = [];
      const warnings: Issue[] = [];
      for (const source of request.sources) sets.push(await loadPolicySet(source, calicoVersion, warnings));
      const workloads = cluster ? await cluster.workloads(warnings) : await fileWorkloads(flags.workloads ?? '', warnings);
      for (const w of warnings) io.stderr.write(`${formatIssue(w)}\n`);
      const extraCidrs = cidrPeers([flags.from, flags.to]);
      if (sets.length === 1) {
        const analysis = analyzeConnectivity({ policies: sets[0] ?? [], workloads, calicoVersion, extraCidrs });
        const filters = resolveFilters(analysis, flags);
        for (const w of analysis.warnings) io.stderr.write(`${formatIssue(w)}\n`);
        if (flags.json) io.stdout.write(`${JSON.stringify({ connections: listConnections(analysis, filters) }, null, 2)}\n`);
        else io.stdout.write(renderConnections(analysis, filters));
        return 0;
      }
      const probe = analyzeConnectivity({ policies: sets[1] ?? [], workloads, calicoVersion, extraCidrs });
      const filters = resolveFilters(probe, flags);
      const diff = diffConnectivity({ before: sets[0] ?? [], after: sets[1] ?? [], workloads, calicoVersion, extraCidrs, ...filters });
      io.stdout.write(flags.json ? `${JSON.stringify(diffJson(diff), null, 2)}\n` : renderDiff(diff));
      return 0;
    } finally {
      await cluster?.close();
    }
  } catch (err) {
    io.stderr.write(`calico-gitops connectivity: ${describe(err)}\n`);
    return 1;
  }
}

type PolicySource = { readonly dir: string } | { readonly repo: string; readonly ref?: string };

function checkUsage(flags: ConnectivityFlags): { sources: PolicySource[] } {
  const dirs = flags.dir ?? [];
  if ((dirs.length > 0) === (flags.repo !== undefined)) throw usage('give --dir DIR (or two for a diff) or --repo URL');
  if ((flags.workloads === undefined) === (flags.kubeconfig === undefined)) throw usage('give exactly one of --workloads FILE or --kubeconfig FILE');
  if (flags.context !== undefined && flags.kubeconfig === undefined) throw usage('--context needs --kubeconfig');
  if (flags.ref !== undefined && flags.repo === undefined) throw usage('--ref needs --repo');
  if (dirs.length > 2) throw usage('give at most two --dir (BEFORE and AFTER)');
  if (flags.diff !== undefined) {
    if (flags.repo === undefined) throw usage('--diff needs --repo (for two directories, give --dir BEFORE --dir AFTER)');
    if (flags.diff.length !== 2) throw usage('--diff takes two revisions: --diff REV1 REV2');
    if (flags.ref !== undefined) throw usage('--diff names both revisions; leave out --ref');
    return { sources: flags.diff.map((ref) => ({ repo: flags.repo ?? '', ref })) };
  }
  if (flags.repo !== undefined) return { sources: [{ repo: flags.repo, ...(flags.ref !== undefined ? { ref: flags.ref } : {}) }] };
  return { sources: dirs.map((dir) => ({ dir })) };
}

async function loadPolicySet(source: PolicySource, calicoVersion: CalicoVersion, warnings: Issue[]): Promise<PolicyInput[]> {
  if ('dir' in source) return validated(await readPolicyDir(source.dir), calicoVersion, warnings, source.dir);
  const clone = await cloneOnce({ url: source.repo, ...(source.ref !== undefined ? { ref: source.ref } : {}) });
  try {
    return validated(await readPolicyDir(clone.dir), calicoVersion, warnings, source.ref ?? 'the default branch');
  } finally {
    await clone.cleanup();
  }
}

function validated(read: { files: { path: string; content: string }[]; issues: Issue[] }, calicoVersion: CalicoVersion, warnings: Issue[], where: string): PolicyInput[] {
  const built = buildDesiredState({ files: read.files, calicoVersion });
  const errors = [...read.issues.filter((i) => i.severity === 'error'), ...built.errors];
  if (errors.length > 0) throw new ValidationError(`the policies in ${where} are invalid (${errors.length} error(s)):\n${errors.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  warnings.push(...read.issues.filter((i) => i.severity === 'warning'), ...built.warnings);
  return [...built.state.resources.values()];
}

async function fileWorkloads(path: string, warnings: Issue[]): Promise<Workloads> {
  const read = await readWorkloadsFile(path);
  if (read.errors.length > 0) throw new ValidationError(`the workloads file is invalid:\n${read.errors.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  warnings.push(...read.warnings);
  return read.workloads;
}

/** Loaded only with --kubeconfig (connectivity-cluster.ts says why). */
async function openCluster(flags: ConnectivityFlags) {
  const syncTimeoutMs = Number(flags.syncTimeout ?? '60') * 1000;
  if (!Number.isFinite(syncTimeoutMs) || syncTimeoutMs <= 0) throw usage('--sync-timeout must be a positive number of seconds');
  const { openCluster: open } = await import('./connectivity-cluster.js');
  return open({
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    ...(flags.calicoVersion !== undefined ? { calicoVersion: flags.calicoVersion } : {}),
    syncTimeoutMs,
  });
}

function resolveFilters(analysis: Analysis, flags: ConnectivityFlags): { from?: PeerFilter; to?: PeerFilter } {
  const out: { from?: PeerFilter; to?: PeerFilter } = {};
  for (const side of ['from', 'to'] as const) {
    const pattern = flags[side];
    if (pattern === undefined) continue;
    const r = peerFilter(analysis, pattern);
    if (!r.ok) throw usage(`--${side}: ${r.message}`);
    out[side] = r.filter;
  }
  return out;
}

function describe(err: unknown): string {
  if (err instanceof AgentError) return err.message;
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
