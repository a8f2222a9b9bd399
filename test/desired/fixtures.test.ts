// The fixture corpus: every invalid file states its exact problems (`# expect: LINE:COL severity:
// message`), every valid file must produce none. A directory under invalid/ is one case of
// several files (cross-file rules such as duplicates).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../agent/desired/index.js';
import { DEFAULT_CALICO_VERSION, parseCalicoVersion, type Issue, type SourceFile } from '../../agent/domain/index.js';
import { readPolicyDir } from '../../agent/source/read-dir.js';

const root = fileURLToPath(new URL('../fixtures/desired/', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? yamlFiles(join(dir, n)) : n.endsWith('.yaml') ? [join(dir, n)] : []));
}

interface Case {
  readonly name: string;
  readonly files: SourceFile[];
}

function cases(kind: 'valid' | 'invalid' | 'accepted'): Case[] {
  const dir = join(root, kind);
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const full = join(dir, name);
      const base = statSync(full).isDirectory() ? full : dir;
      const paths = statSync(full).isDirectory() ? yamlFiles(full) : [full];
      return { name, files: paths.map((p) => ({ path: relative(base, p), content: readFileSync(p, 'utf8') })) };
    });
}

function versionOf(files: readonly SourceFile[]) {
  const text = files.map((f) => f.content).join('\n');
  const m = /^# calico-version: (\S+)$/m.exec(text);
  return (m && parseCalicoVersion(m[1] ?? '')) || DEFAULT_CALICO_VERSION;
}

function expectExactly(c: Case, issues: readonly Issue[]): void {
  for (const file of c.files) {
    const expected = [...file.content.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
    const actual = issues
      .filter((i) => i.file === file.path)
      .sort((a, b) => a.line - b.line || a.column - b.column || a.message.localeCompare(b.message))
      .map((i) => `${i.line}:${i.column} ${i.severity}: ${i.message}`);
    expect(actual, file.path).toEqual(expected);
  }
}

describe('invalid fixtures report exactly the expected problems', () => {
  it.each(cases('invalid').map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = buildDesiredState({ files: c.files, calicoVersion: versionOf(c.files) });
    expectExactly(c, [...result.errors, ...result.warnings]);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.state.resources.size).toBe(0);
  });
});

describe('accepted fixtures: what calicoctl accepts passes, with the expected warnings', () => {
  it.each(cases('accepted').map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = buildDesiredState({ files: c.files, calicoVersion: versionOf(c.files) });
    expectExactly(c, result.warnings);
    expect(result.errors).toEqual([]);
    expect(result.warnings.length).toBeGreaterThan(0);
    expect(result.state.resources.size).toBeGreaterThan(0);
  });

  it('keeps what Calico stores: canonical field names, string label values, YAML 1.1 booleans', () => {
    const c = cases('accepted').find((x) => x.name === 'case-and-scalars.yaml');
    if (!c) throw new Error('fixture missing');
    const result = buildDesiredState({ files: c.files, calicoVersion: DEFAULT_CALICO_VERSION });
    const manifest = result.state.resources.get('GlobalNetworkPolicy//case-and-scalars' as never)?.manifest;
    expect(manifest?.metadata.labels).toEqual({ enabled: 'true', replicas: '3', legacy: 'true', ratio: '1.5', quoted: 'no' });
    expect(manifest?.spec).toMatchObject({
      order: 10,
      selector: "app == 'web'",
      doNotTrack: true,
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80] } }],
    });
    expect(Object.keys(manifest?.spec ?? {})).not.toContain('Order');
    expect(result.state.resources.get('HostEndpoint//node-on-eth0' as never)?.manifest.spec).toMatchObject({ node: 'true' });
  });
});

describe('valid fixtures', () => {
  it.each(cases('valid').map((c) => [c.name, c] as const))('%s has no problems', (_name, c) => {
    const result = buildDesiredState({ files: c.files, calicoVersion: versionOf(c.files) });
    expect([...result.errors, ...result.warnings]).toEqual([]);
    expect(result.state.resources.size).toBeGreaterThan(0);
  });

  it('validate together (no duplicates across files)', () => {
    // Files pinned to another Calico version (`# calico-version:`) are left out.
    const files = cases('valid')
      .filter((c) => !c.files.some((f) => /^# calico-version:/m.test(f.content)))
      .flatMap((c) => c.files);
    const result = buildDesiredState({ files, calicoVersion: DEFAULT_CALICO_VERSION });
    expect(result.errors).toEqual([]);
    expect(result.state.resources.size).toBe(19);
  });
});

describe('the example repository policies/', () => {
  it.each([['v3.29.0'], ['v3.31.2'], ['v3.32.0']])('validates clean for Calico %s', async (version) => {
    const dir = fileURLToPath(new URL('../../policies/', import.meta.url));
    const read = await readPolicyDir(dir);
    const result = buildDesiredState({ files: read.files, calicoVersion: parseCalicoVersion(version) ?? DEFAULT_CALICO_VERSION });
    expect(read.issues).toEqual([]);
    expect([...result.errors, ...result.warnings]).toEqual([]);
    expect([...result.state.resources.keys()]).toEqual([
      'GlobalNetworkPolicy//platform.host-allow-egress',
      'GlobalNetworkPolicy//platform.host-allow-ssh-kubelet',
      'GlobalNetworkSet//trusted-networks',
      'HostEndpoint//worker-1-eth0',
      'NetworkPolicy/test1/allow-same-namespace',
      'NetworkPolicy/test1/default-deny',
      'NetworkPolicy/test2/allow-same-namespace',
      'NetworkPolicy/test2/default-deny',
      'Tier//platform',
    ]);
  });
});
