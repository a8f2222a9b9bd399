// Published manifests (Calico docs, recipes, Calico's repository) with the verdict calicoctl or
// kubectl of Calico v3.31 gives, used from ../shared/corpus/upstream/ as they are (never copied):
// every valid/ file passes, every invalid/ file fails, and MANIFEST.tsv agrees with both.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion, type CalicoVersion } from '../../agent/domain/index.js';
import { runCli } from '../support/cli.js';

// The project root's sibling `shared/` (this file is test/desired/ in the project).
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/upstream/', import.meta.url));
const V331 = parseCalicoVersion('v3.31.0') as CalicoVersion;

const files = (verdict: 'valid' | 'invalid') =>
  readdirSync(join(CORPUS, verdict))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

function validate(verdict: 'valid' | 'invalid', name: string) {
  const content = readFileSync(join(CORPUS, verdict, name), 'utf8');
  return buildDesiredState({ files: [{ path: name, content }], calicoVersion: V331 });
}

interface Row {
  readonly id: string;
  readonly verdict: string;
  readonly note: string;
  readonly source: string;
  readonly reason: string;
}

function manifest(): Row[] {
  const [header, ...lines] = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  expect(header?.split('\t')).toEqual(['id', 'verdict', 'calico_version_note', 'source', 'reason']);
  return lines.map((l) => {
    const [id = '', verdict = '', note = '', source = '', reason = ''] = l.split('\t');
    return { id, verdict, note, source, reason };
  });
}

describe('upstream examples, Calico v3.31', () => {
  it('the corpus is where the project expects it', () => {
    expect(existsSync(join(CORPUS, 'MANIFEST.tsv'))).toBe(true);
    expect(files('valid').length).toBeGreaterThan(100);
    expect(files('invalid').length).toBeGreaterThan(0);
  });

  it.each(files('valid'))('valid/%s passes', (name) => {
    const result = validate('valid', name);
    expect(result.errors).toEqual([]);
    expect(result.state.resources.size).toBeGreaterThan(0);
  });

  // Where each one fails and why, as the MANIFEST reason says.
  const FAILURES: Readonly<Record<string, { line: number; message: string }>> = {
    'docs-calico-labels-16-foo-and-bar.yaml': { line: 18, message: 'rules that specify ports must set protocol' },
    'docs-calico-labels-85-foo-and-bar.yaml': { line: 17, message: 'rules that specify ports must set protocol' },
    'docs-kubernetes-default-deny-98-deny-app-policy.yaml': { line: 20, message: 'cannot specify ports with services' },
    'docs-kubernetes-node-ports-48-allow-cluster-internal-ingress-only.yaml': { line: 14, message: '"1.2.3.4/16" has host bits set' },
    'repo-calicoctl-convert-k8s-np-invalid-port.yaml': { line: 29, message: 'port name "-50:-1"' },
  };

  it.each(files('invalid'))('invalid/%s fails at the line and for the reason Calico gives', (name) => {
    const result = validate('invalid', name);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.state.resources.size).toBe(0);
    const expected = FAILURES[name];
    expect(expected, `no expectation written for ${name}`).toBeDefined();
    expect(result.errors.some((e) => e.line === expected?.line && e.message.includes(expected.message)), JSON.stringify(result.errors)).toBe(true);
  });

  it('MANIFEST.tsv lists every file once, under the directory of its verdict, matching its # expect: header', () => {
    const rows = manifest();
    const listed = rows.map((r) => `${r.verdict}/${r.id}.yaml`).sort();
    const present = [...files('valid').map((f) => `valid/${f}`), ...files('invalid').map((f) => `invalid/${f}`)].sort();
    expect(listed).toEqual(present);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    for (const r of rows) {
      expect(['valid', 'invalid']).toContain(r.verdict);
      const text = readFileSync(join(CORPUS, r.verdict, `${r.id}.yaml`), 'utf8');
      expect(text, r.id).toMatch(new RegExp(`^# expect: ${r.verdict}\\b`, 'm'));
    }
  });

  it('every MANIFEST row gets the verdict it records', () => {
    const wrong = manifest()
      .map((r) => ({ r, ok: validate(r.verdict as 'valid' | 'invalid', `${r.id}.yaml`).errors.length === 0 }))
      .filter(({ r, ok }) => ok !== (r.verdict === 'valid'))
      .map(({ r }) => `${r.verdict} ${r.id}: ${r.reason}`);
    expect(wrong).toEqual([]);
  });

  it('the CLI rejects the invalid directory with file:line for every file', async () => {
    const { code, stdout, stderr } = await runCli(['validate', join(CORPUS, 'invalid'), '--calico-version', 'v3.31.0']);
    expect(code).toBe(1);
    for (const [name, { line }] of Object.entries(FAILURES)) expect(`${stdout}${stderr}`).toContain(`${name}:${line}:`);
  });
});
