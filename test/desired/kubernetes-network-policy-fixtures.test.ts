import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { compareIssues, DEFAULT_CALICO_VERSION, formatIssue } from '../../agent/domain/index.js';
import type { JsonObject } from '../../agent/domain/index.js';
import { IssueCollector } from '../../agent/desired/collector.js';
import { DEFAULT_LIMITS } from '../../agent/desired/limits.js';
import { parseFile } from '../../agent/desired/parse/parse-file.js';
import { validateKubernetesNetworkPolicy } from '../../agent/desired/rules/kubernetes-network-policy.js';

// Each fixture file goes through the real parser and issue collector, so the assertions are on
// the `file:line:column: severity: message (at path)` lines a user reads. An invalid fixture's
// expected lines sit next to it in `<name>.expected`.
const ROOT = fileURLToPath(new URL('../fixtures/desired/k8s-network-policy/', import.meta.url));

function validate(dir: string, name: string): string[] {
  const path = `${dir}/${name}`;
  const content = readFileSync(`${ROOT}${path}`, 'utf8');
  const parsed = parseFile({ path, content }, DEFAULT_LIMITS);
  expect(parsed.issues).toEqual([]);
  const collector = new IssueCollector(new Map([[path, content]]), DEFAULT_LIMITS.maxDepth);
  for (const doc of parsed.documents) {
    const view = collector.view({ file: path, document: doc.index, value: doc.value as JsonObject, calicoVersion: DEFAULT_CALICO_VERSION });
    validateKubernetesNetworkPolicy(view);
  }
  return collector.resolve().sort(compareIssues).map(formatIssue);
}

const yamlIn = (dir: string) => readdirSync(`${ROOT}${dir}`).filter((f) => f.endsWith('.yaml')).sort();

describe('Kubernetes NetworkPolicy fixtures', () => {
  it('has fixtures in both folders', () => {
    expect(yamlIn('valid').length).toBeGreaterThan(1);
    expect(yamlIn('invalid').length).toBeGreaterThan(2);
  });

  it.each(yamlIn('valid'))('valid/%s reports nothing', (name) => {
    expect(validate('valid', name)).toEqual([]);
  });

  it.each(yamlIn('invalid'))('invalid/%s reports exactly its .expected lines', (name) => {
    const lines = validate('invalid', name);
    const expectedFile = `${ROOT}invalid/${name.replace(/\.yaml$/, '.expected')}`;
    // UPDATE_FIXTURES=1 (re)writes the file for review; a missing file is written and still fails.
    if (process.env['UPDATE_FIXTURES'] === '1' || !existsSync(expectedFile)) {
      const existed = existsSync(expectedFile);
      writeFileSync(expectedFile, `${lines.join('\n')}\n`);
      if (!existed) throw new Error(`wrote ${expectedFile}: review it, then run again`);
    }
    expect(lines).toEqual(readFileSync(expectedFile, 'utf8').trimEnd().split('\n'));
  });
});
