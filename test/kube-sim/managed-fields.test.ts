// metadata.managedFields through the real kubectl: each command is recorded under the manager the
// API server derives (kubectl's --field-manager defaults, or the user agent), with operation and time.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldManagerOf } from './managed-fields.js';
import { kubectlFor, type Kubectl } from './kubectl-helper.js';
import { startKubeSim, type KubeSim } from './server.js';

interface ManagedEntry {
  manager: string;
  operation: string;
  time: string;
  fieldsV1: Record<string, unknown>;
}

let sim: KubeSim;
let k: Kubectl;

beforeAll(async () => {
  sim = await startKubeSim({ tls: true });
  k = await kubectlFor(sim);
});

afterAll(async () => {
  await sim?.close();
  await k?.cleanup();
});

const GNP = 'globalnetworkpolicies.crd.projectcalico.org';

async function managed(name: string): Promise<ManagedEntry[]> {
  const got = await k.run(['get', GNP, name, '-o', 'json', '--show-managed-fields']);
  expect(got.code).toBe(0);
  return (JSON.parse(got.stdout) as { metadata: { managedFields?: ManagedEntry[] } }).metadata.managedFields ?? [];
}

const doc = (name: string, selector: string): string =>
  `apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata: {name: ${name}, labels: {team: a}}\nspec: {selector: "${selector}", order: 10}\n`;

describe('managedFields recorded from real kubectl commands', () => {
  it('create, client-side apply, edit, label: manager, operation and owned fields follow each write', async () => {
    expect((await k.run(['create', '-f', '-'], { input: doc('default.mf', 'all()') })).code).toBe(0);
    const created = await managed('default.mf');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ manager: 'kubectl-create', operation: 'Update' });
    expect(created[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created[0]?.fieldsV1).toMatchObject({ 'f:spec': { 'f:selector': {}, 'f:order': {} }, 'f:metadata': { 'f:labels': { 'f:team': {} } } });

    expect((await k.run(['apply', '-f', '-'], { input: doc('default.mf', "role == 'db'") })).code).toBe(0);
    const applied = await managed('default.mf');
    expect(applied.map((e) => e.manager)).toEqual(['kubectl-create', 'kubectl-client-side-apply']);

    const editor = join(k.dir, 'edit-order.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/^  order: 10$/  order: 99/" "$1"\n', { mode: 0o755 });
    const edit = await k.run(['edit', GNP, 'default.mf'], { env: { KUBE_EDITOR: editor } });
    expect(edit).toMatchObject({ code: 0 });
    const edited = await managed('default.mf');
    const editEntry = edited.find((e) => e.manager === 'kubectl-edit');
    expect(editEntry).toMatchObject({ operation: 'Update', fieldsV1: { 'f:spec': { 'f:order': {} } } });
    // The edited field moved to kubectl-edit: nobody else owns it any more.
    for (const e of edited.filter((x) => x.manager !== 'kubectl-edit')) expect((e.fieldsV1['f:spec'] as Record<string, unknown> | undefined)?.['f:order']).toBeUndefined();

    expect((await k.run(['label', GNP, 'default.mf', 'env=prod'])).code).toBe(0);
    expect((await managed('default.mf')).find((e) => e.manager === 'kubectl-label')).toMatchObject({ operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:env': {} } } } });
  });

  it('server-side apply records operation Apply under the given --field-manager', async () => {
    const ssa = await k.run(['apply', '--server-side', '--field-manager', 'platform-team', '-f', '-'], { input: doc('default.ssa', 'all()') });
    expect(ssa.code).toBe(0);
    expect(await managed('default.ssa')).toEqual([expect.objectContaining({ manager: 'platform-team', operation: 'Apply' })]);
  });

  it('a write that changes nothing leaves managedFields and the resourceVersion alone', async () => {
    const before = await k.run(['get', GNP, 'default.ssa', '-o', 'jsonpath={.metadata.resourceVersion}']);
    expect((await k.run(['apply', '--server-side', '--field-manager', 'platform-team', '-f', '-'], { input: doc('default.ssa', 'all()') })).code).toBe(0);
    const after = await k.run(['get', GNP, 'default.ssa', '-o', 'jsonpath={.metadata.resourceVersion}']);
    expect(after.stdout).toBe(before.stdout);
    expect(await managed('default.ssa')).toHaveLength(1);
  });
});

describe('fieldManagerOf', () => {
  it.each([
    ['?fieldManager=kubectl-edit', 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc', 'kubectl-edit'],
    ['', 'calicoctl/v3.31.2 (linux/amd64) kubernetes/$Format', 'calicoctl'],
    ['', 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc', 'kubectl'],
    ['', undefined, undefined],
  ])('query %j, user agent %j → %j', (query, agent, expected) => {
    expect(fieldManagerOf(new URLSearchParams(query), agent)).toBe(expected);
  });
});
