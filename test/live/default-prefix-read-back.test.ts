// A default-tier policy named `default.<name>`, as Calico's docs write them: from v3.30 Calico
// keeps the written name (libcalico-go lib/backend/k8s/resources/resources.go:147-155 stores it in
// the `projectcalico.org/metadata` annotation), so after applying, the live stage reads it back
// under the same name and the plan is empty. calicoctl's decoding (case-folded field names,
// scalars in label values) reads back as the repository's normalized form too.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveCache } from '../../agent/live/live-cache.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { applyDesired, desiredFrom, planAgainst, startLive, version } from './round-trip.js';
import { adminRequest } from './sim-apply.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'desired');

let sim: KubeSim | undefined;
let live: LiveCache | undefined;
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'default-prefix-'));
});
afterEach(async () => {
  await live?.stop();
  await sim?.close();
  live = undefined;
  sim = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('default.<name> policies and calicoctl-decoded input read back unchanged', () => {
  it.each([
    ['v3.30.2', 'default.deny-all'],
    ['v3.31.2', 'default.deny-all'],
    ['v3.32.0', 'default.deny-all'],
  ])('Calico %s', async (ver, storedName) => {
    const files = await Promise.all(
      ['valid/default-prefix-v331.yaml', 'accepted/case-and-scalars.yaml'].map(async (p) => ({ path: p, content: await readFile(join(FIXTURES, p), 'utf8') })),
    );
    const desired = desiredFrom(files, version(ver));
    expect([...desired.resources.keys()].sort()).toEqual([
      'GlobalNetworkPolicy//case-and-scalars',
      'HostEndpoint//node-on-eth0',
      'NetworkPolicy/test1/default.deny-all',
      'StagedGlobalNetworkPolicy//default.allow-tcp-6379',
    ]);
    sim = await startCluster({ calicoVersion: ver });
    await applyDesired(sim, desired);

    // The CRD object carries the name, and the v3 name sits in the metadata annotation.
    const stored = (await adminRequest(sim, 'GET', `/apis/crd.projectcalico.org/v1/namespaces/test1/networkpolicies/${storedName}`)) as {
      metadata: { annotations: Record<string, string> };
    };
    expect(JSON.parse(stored.metadata.annotations['projectcalico.org/metadata'] ?? '{}')).toMatchObject({ name: 'default.deny-all' });

    live = await startLive(sim, dir);
    expect(await live.waitForSync(20_000)).toBe(true);
    expect([...live.list()].map((r) => r.key).sort()).toEqual([...desired.resources.keys()].sort());
    const plan = planAgainst(desired, live, { revision: 'rev2' });
    expect(plan.steps.map((s) => `${s.action} ${s.key}`)).toEqual([]);
    expect(plan.unchanged).toBe(desired.resources.size);
  });
});
