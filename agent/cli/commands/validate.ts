// `calico-gitops validate [DIR]`: every problem of a policy directory, compiler style, exit 0
// when valid and 1 when not. `--format github` prints workflow annotations instead.
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { buildDesiredState, withSourceIssues, type DesiredResult } from '../../desired/index.js';
import {
  compareIssues,
  DEFAULT_CALICO_VERSION,
  formatCalicoVersion,
  formatIssue,
  KINDS,
  toSerializedError,
  type CalicoVersion,
  type DesiredResource,
  type Issue,
  type Issues,
} from '../../domain/index.js';
import { readPolicyDir } from '../../source/read-dir.js';
import { readIntentsFile } from '../../source/read-intents.js';
import { readWorkloadsFile } from '../../source/read-workloads.js';
import { analyzeConnectivity } from '../../connectivity/analyze.js';
import { checkIntents, intentCidrs, INTENTS_FILE, parseIntents } from '../../connectivity/intents.js';

export const VALIDATE_FORMATS = ['text', 'json', 'github'] as const;
export type ValidateFormat = (typeof VALIDATE_FORMATS)[number];

export interface ValidateFlags {
  readonly json?: boolean;
  readonly format?: string;
  readonly calicoVersion?: string;
  readonly workloads?: string;
}

export interface ValidateIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export function registerValidate(program: Command, io: ValidateIo = { stdout: process.stdout, stderr: process.stderr }): void {
  program
    .command('validate')
    .description('check a policy directory; print every problem as file:line:col (exit 0 valid, 1 invalid)')
    .argument('[dir]', 'policy directory', '.')
    .option('--json', 'print the result as JSON (same as --format json)')
    .option('--format <format>', `output format: ${VALIDATE_FORMATS.join(', ')}`, 'text')
    .option('--calico-version <version>', `Calico version to validate for (default ${formatCalicoVersion(DEFAULT_CALICO_VERSION)})`)
    .option('--workloads <file>', `check the declared intents (${INTENTS_FILE}) against these workloads (kubectl get ... -o yaml)`)
    .action(async (dir: string, flags: ValidateFlags) => {
      process.exitCode = await runValidate(dir, flags, io);
    });
}

export async function runValidate(dir: string, flags: ValidateFlags, io: ValidateIo): Promise<number> {
  const format = flags.json ? 'json' : (flags.format ?? 'text');
  if (!(VALIDATE_FORMATS as readonly string[]).includes(format)) {
    io.stderr.write(`calico-gitops validate: --format must be one of ${VALIDATE_FORMATS.join(', ')}\n`);
    return 1;
  }
  let calicoVersion: CalicoVersion;
  let result: DesiredResult;
  try {
    calicoVersion = loadConfig({ calicoVersion: flags.calicoVersion }).calicoVersion ?? DEFAULT_CALICO_VERSION;
    const read = await readPolicyDir(dir);
    const built = buildDesiredState({ files: read.files, calicoVersion });
    const empty: Issue[] =
      read.files.length === 0 && !read.issues.some((i) => i.severity === 'error')
        ? [{ severity: 'warning', file: '', line: 0, column: 0, path: '', code: 'empty', message: `no policy files (*.yaml, *.yml) found in ${dir}` }]
        : [];
    result = withSourceIssues(built, [...read.issues, ...empty]);
    result = withSourceIssues(result, await intentIssues({ dir, result, calicoVersion, ...(flags.workloads !== undefined ? { workloads: flags.workloads } : {}) }));
  } catch (err) {
    io.stderr.write(`calico-gitops validate: ${toSerializedError(err).message}\n`);
    return 1;
  }
  const shown = (i: Issue): Issue => (i.file ? { ...i, file: displayPath(dir, i.file) } : i);
  const errors = result.errors.map(shown);
  const warnings = result.warnings.map(shown);
  const resources = [...result.state.resources.values()];
  const valid = errors.length === 0;
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(jsonReport({ valid, calicoVersion, resources, errors, warnings, dir }), null, 2)}\n`);
  } else {
    const line = format === 'github' ? githubAnnotation : formatIssue;
    for (const issue of [...errors, ...warnings].sort(compareIssues)) io.stdout.write(`${line(issue)}\n`);
    io.stdout.write(`${summary({ valid, resources, errors, warnings })}\n`);
  }
  return valid ? 0 : 1;
}

/**
 * The intents file is checked for syntax always, and against workloads when `--workloads` is
 * given (the agent checks it against the live ones); a valid policy set is needed for that.
 */
async function intentIssues(o: { dir: string; result: DesiredResult; calicoVersion: CalicoVersion; workloads?: string }): Promise<Issue[]> {
  const intents = await readIntentsFile(o.dir);
  if (intents && 'problem' in intents) return [intents.problem];
  const file = intents?.file;
  if (!file) {
    return o.workloads === undefined ? [] : [{ severity: 'warning', file: '', line: 0, column: 0, path: '', code: 'intent', message: `--workloads given but there is no ${INTENTS_FILE}: no intent to check` }];
  }
  const parsed = parseIntents(file);
  if (parsed.errors.length > 0 || o.workloads === undefined || o.result.errors.length > 0) return [...parsed.errors];
  const read = await readWorkloadsFile(o.workloads);
  if (read.errors.length > 0) return [...read.errors, ...read.warnings];
  const analysis = analyzeConnectivity({
    policies: [...o.result.state.resources.values()],
    workloads: read.workloads,
    calicoVersion: o.calicoVersion,
    extraCidrs: intentCidrs(parsed.intents),
  });
  const checked = checkIntents(analysis, parsed.intents);
  return [...read.warnings, ...checked.errors, ...checked.warnings];
}

function displayPath(dir: string, file: string): string {
  return join(dir, file).split('\\').join('/');
}

/** `::error file=a.yaml,line=3,col=5::message` (GitHub workflow command; `%`, CR, LF escaped). */
export function githubAnnotation(issue: Issue): string {
  const prop = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const position = issue.line > 0 ? `,line=${issue.line}${issue.column > 0 ? `,col=${issue.column}` : ''}` : '';
  const where = issue.file ? ` file=${prop(issue.file)}${position}` : '';
  const at = issue.path ? ` (at ${issue.path})` : '';
  return `::${issue.severity}${where}::${data(issue.message + at)}`;
}

function countByKind(resources: readonly DesiredResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.kindId, (counts.get(r.kindId) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function summary(o: Issues & { valid: boolean; resources: readonly DesiredResource[] }): string {
  const warn = o.warnings.length > 0 ? `, ${plural(o.warnings.length, 'warning')}` : '';
  if (!o.valid) {
    const files = new Set(o.errors.map((e) => e.file)).size;
    return `${plural(o.errors.length, 'error')} in ${plural(files, 'file')}${warn}`;
  }
  const kinds = countByKind(o.resources).map(([k, n]) => `${n} ${k}`).join(', ');
  const noun = o.resources.length === 1 ? 'resource' : 'resources';
  return `${o.resources.length} ${noun} valid${kinds ? ` (${kinds})` : ''}${warn}`;
}

function jsonReport(o: {
  valid: boolean;
  calicoVersion: CalicoVersion;
  resources: readonly DesiredResource[];
  errors: readonly Issue[];
  warnings: readonly Issue[];
  dir: string;
}): Record<string, unknown> {
  return {
    valid: o.valid,
    calicoVersion: formatCalicoVersion(o.calicoVersion),
    summary: summary(o),
    counts: Object.fromEntries(countByKind(o.resources)),
    resources: o.resources.map((r) => ({
      key: r.key,
      kind: KINDS[r.kindId].kind,
      apiVersion: KINDS[r.kindId].apiVersion,
      name: r.manifest.metadata.name,
      ...(r.manifest.metadata.namespace ? { namespace: r.manifest.metadata.namespace } : {}),
      file: displayPath(o.dir, r.source.file),
      line: r.source.line,
      hash: r.hash,
    })),
    errors: o.errors,
    warnings: o.warnings,
  };
}
