// Runs one network-config-analyzer case (../shared/connectivity/nca/<case>) through the engine:
// the policies through the desired stage as the CLI reads them, the workloads file as parsed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { analyzeConnectivity } from '../../agent/connectivity/analyze.js';
import { listConnections } from '../../agent/connectivity/connections.js';
import { parseWorkloads } from '../../agent/connectivity/workloads.js';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';
import { readPolicyDir } from '../../agent/source/read-dir.js';

export const NCA_ROOT = join(import.meta.dirname, '..', '..', '..', 'shared', 'connectivity', 'nca');

export interface ExpectedCase {
  readonly calico_version: string;
  readonly probes: string;
  readonly pods: readonly string[];
  readonly pairs: Readonly<Record<string, Readonly<Record<string, string | boolean>>>>;
}

export function ncaCases(): string[] {
  return readdirSync(NCA_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .map((d) => d.name)
    .sort();
}

export async function runNcaCase(name: string): Promise<{ expected: ExpectedCase; actual: Map<string, Record<string, string | boolean>> }> {
  const dir = join(NCA_ROOT, name);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as ExpectedCase;
  const calicoVersion = parseCalicoVersion(expected.calico_version)!;
  const read = await readPolicyDir(join(dir, 'policies'));
  const desired = buildDesiredState({ files: read.files, calicoVersion });
  if (desired.errors.length > 0) throw new Error(`${name}: policies do not validate: ${desired.errors[0]?.message}`);
  const docs = yaml.loadAll(readFileSync(join(dir, 'workloads.yaml'), 'utf8'));
  const workloads = parseWorkloads(docs, { file: 'workloads.yaml' });
  if (workloads.errors.length > 0) throw new Error(`${name}: ${workloads.errors[0]?.message}`);
  const analysis = analyzeConnectivity({ policies: [...desired.state.resources.values()], workloads: workloads.workloads, calicoVersion, podsAndHostsOnly: true });
  const actual = new Map<string, Record<string, string | boolean>>();
  for (const c of listConnections(analysis)) actual.set(`${c.from} -> ${c.to}`, { ...c.allowed });
  return { expected, actual };
}

/** Differences between expected and actual, pair by pair (`other`/`ICMPv6` only where expected.json states them). */
export function compareCase(expected: ExpectedCase, actual: ReadonlyMap<string, Record<string, string | boolean>>): string[] {
  const problems: string[] = [];
  const none: Record<string, string | boolean> = { TCP: '', UDP: '', SCTP: '', ICMP: false, ICMPv6: false, other: false };
  const keys = new Set([...Object.keys(expected.pairs), ...actual.keys()]);
  for (const k of [...keys].sort()) {
    const want = expected.pairs[k];
    const got = actual.get(k) ?? none;
    const fields = want ? Object.keys(want) : ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', 'other'];
    for (const f of fields) {
      const w = want ? want[f] : none[f];
      if (got[f] !== w) problems.push(`${k} ${f}: expected ${JSON.stringify(w)}, got ${JSON.stringify(got[f])}`);
    }
  }
  return problems;
}
