// The live + plan path in the two API modes where projectcalico.org/v3 is served (CALICO.md,
// "Storage"): the Calico API server over crd.projectcalico.org, and Calico v3.32's native v3 CRDs.
// Objects are written the way they get there on such clusters: by a calicoctl pod (API server
// mode; calicoctl writes the CRD storage) or by the real kubectl applying v3 objects (what an
// operator, or an API executor, does where v3 is served). Read back through the LiveCache, they
// must plan as unchanged against the desired state built from the same YAML; a hand edit must
// plan as an update.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiMode } from '../../agent/domain/calico-version.js';
import { KINDS } from '../../agent/domain/kinds.js';
import { OWNER_ANNOTATION } from '../../agent/domain/ownership.js';
import type { Manifest } from '../../agent/domain/resource.js';
import type { DesiredState, Plan } from '../../agent/domain/state.js';
import { createKubeClients } from '../../agent/kube/client.js';
import { detectCluster, type ClusterInfo } from '../../agent/kube/detect.js';
import { createLiveCache } from '../../agent/live/create-live-cache.js';
import type { LiveCache } from '../../agent/live/live-cache.js';
import { startCluster, type KubeSim } from '../kube-sim/index.js';
import { kubectlFor, type Kubectl } from '../kube-sim/kubectl-helper.js';
import { adminClient, create, createConfigMap, executorSetup, phaseOf, podLog, toolPod, waitForPod } from '../kube-sim/runtime/test-fixtures.js';
import { installAgentRbac } from '../support/install-agent.js';
import { desiredFrom, fixtureFiles, FIXTURE_DIR, planAgainst, version } from './round-trip.js';

/**
 * calicoctl-pod: the plan's manifests through a calicoctl pod (Kubernetes NetworkPolicies by kubectl).
 * kubectl-v3: the plan's manifests (normalized, with bookkeeping) applied with the real kubectl.
 * kubectl-repo-yaml: the repository's files exactly as written (types left out, string ports, an
 * empty `source: {}`), only the owner annotation added: both sides must normalize alike.
 */
type Writer = 'calicoctl-pod' | 'kubectl-v3' | 'kubectl-repo-yaml';

interface ModeCase {
  readonly mode: ApiMode;
  readonly calicoVersion: string;
  readonly writer: Writer;
}

const CASES: readonly ModeCase[] = [
  { mode: 'apiserver', calicoVersion: 'v3.28.2', writer: 'calicoctl-pod' },
  { mode: 'apiserver', calicoVersion: 'v3.31.2', writer: 'calicoctl-pod' },
  { mode: 'apiserver', calicoVersion: 'v3.31.2', writer: 'kubectl-v3' },
  { mode: 'apiserver', calicoVersion: 'v3.32.0', writer: 'kubectl-v3' },
  { mode: 'apiserver', calicoVersion: 'v3.31.2', writer: 'kubectl-repo-yaml' },
  { mode: 'native-v3', calicoVersion: 'v3.32.0', writer: 'kubectl-v3' },
  { mode: 'native-v3', calicoVersion: 'v3.32.0', writer: 'kubectl-repo-yaml' },
];

const EMPTY = { isSynced: () => true, get: () => undefined, list: () => [] };
const EXECUTOR_NS = 'modes-executor';
const EXECUTOR_SA = 'executor';

let sim: KubeSim | undefined;
let kubectl: Kubectl | undefined;
let live: LiveCache | undefined;
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'live-modes-'));
});
afterEach(async () => {
  await live?.stop();
  await sim?.close();
  await kubectl?.cleanup();
  live = undefined;
  sim = undefined;
  kubectl = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function startModeCluster(c: ModeCase): Promise<{ sim: KubeSim; kubectl: Kubectl }> {
  // tls: the real kubectl sends no token over plain http.
  sim = await startCluster({
    tls: true,
    calicoVersion: c.calicoVersion,
    ...(c.mode === 'apiserver' ? { calicoApiServer: true } : { calicoNativeV3: true }),
  });
  kubectl = await kubectlFor(sim);
  return { sim, kubectl };
}

async function kubectlOk(k: Kubectl, args: readonly string[], input?: string): Promise<string> {
  const r = await k.run(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

async function ensureNamespaces(k: Kubectl, manifests: readonly Manifest[]): Promise<void> {
  const namespaces = new Set(manifests.flatMap((m) => (m.metadata.namespace ? [m.metadata.namespace] : [])));
  for (const ns of namespaces) {
    const r = await k.run(['create', 'namespace', ns]);
    if (r.code !== 0 && !r.stderr.includes('AlreadyExists')) throw new Error(`namespace ${ns}: ${r.stderr}`);
  }
}

let podCounter = 0;

/** calicoctl apply in a pod under an executor ServiceAccount, as the executor does. */
async function calicoctlPod(s: KubeSim, manifests: readonly Manifest[]): Promise<void> {
  if (manifests.length === 0) return;
  const api = adminClient(s);
  // The executor's ServiceAccount only has rights on crd.projectcalico.org: calicoctl writes storage.
  if ((await api.request({ method: 'GET', path: `/api/v1/namespaces/${EXECUTOR_NS}` })).status === 404) {
    await executorSetup(api, { namespace: EXECUTOR_NS, serviceAccount: EXECUTOR_SA });
  }
  podCounter += 1;
  const name = `apply-${podCounter}`;
  await createConfigMap(api, EXECUTOR_NS, name, { 'apply.yaml': manifests.map((m) => yaml.dump(m)).join('---\n') });
  const image = `quay.io/calico/ctl:${s.calicoVersion}`;
  await create(api, `/api/v1/namespaces/${EXECUTOR_NS}/pods`, toolPod({ namespace: EXECUTOR_NS, name, serviceAccount: EXECUTOR_SA, image, args: ['apply', '-f', '/manifests/apply.yaml'], configMap: name }));
  const pod = await waitForPod(api, EXECUTOR_NS, name);
  if (phaseOf(pod) !== 'Succeeded') throw new Error(`calicoctl pod ${phaseOf(pod)}: ${await podLog(api, EXECUTOR_NS, name)}`);
}

/** The repository's documents as written, owned by the default instance, in the plan's apply order. */
function repositoryManifests(c: ModeCase, plan: Plan): Manifest[] {
  const docs = fixtureFiles(version(c.calicoVersion)).flatMap((f) => yaml.loadAll(f.content) as Manifest[]);
  const order = plan.steps.map((st) => `${st.manifest.kind}/${st.manifest.metadata.namespace ?? ''}/${st.manifest.metadata.name}`);
  const rank = (m: Manifest): number => order.indexOf(`${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`);
  return docs
    .map((m) => ({ ...m, metadata: { ...m.metadata, annotations: { ...m.metadata.annotations, [OWNER_ANNOTATION]: 'calico-gitops' } } }))
    .sort((a, b) => rank(a) - rank(b));
}

/** Applies a plan's writes in its order with the case's writer; Kubernetes NetworkPolicies always by kubectl. */
async function applyPlan(c: ModeCase, s: KubeSim, k: Kubectl, plan: Plan): Promise<void> {
  const writes = c.writer === 'kubectl-repo-yaml' ? repositoryManifests(c, plan) : plan.steps.filter((st) => st.action !== 'delete').map((st) => st.manifest);
  expect(writes).toHaveLength(plan.steps.length);
  await ensureNamespaces(k, writes);
  const byKubectl = c.writer !== 'calicoctl-pod' ? writes : writes.filter((m) => m.apiVersion === 'networking.k8s.io/v1');
  if (c.writer === 'calicoctl-pod') await calicoctlPod(s, writes.filter((m) => m.apiVersion !== 'networking.k8s.io/v1'));
  if (byKubectl.length > 0) await kubectlOk(k, ['apply', '-f', '-'], byKubectl.map((m) => yaml.dump(m)).join('---\n'));
}

/** Detection and the live cache run as the agent's own ServiceAccount, with deploy/'s RBAC. */
async function detectAndStartLive(s: KubeSim): Promise<{ cluster: ClusterInfo; live: LiveCache }> {
  const { agentKubeconfig } = await installAgentRbac(s);
  const clients = createKubeClients({ kubeconfig: agentKubeconfig });
  const cluster = await detectCluster(clients);
  live = createLiveCache({ clients, cluster, logger: pino({ level: 'silent' }), watchTimeoutSeconds: 30 });
  live.start();
  return { cluster, live };
}

function desiredFor(c: ModeCase): DesiredState {
  const v = version(c.calicoVersion);
  return desiredFrom(fixtureFiles(v), v);
}

const stepsOf = (plan: Plan): string[] => plan.steps.map((s) => `${s.action} ${s.key}`);

describe.each(CASES)('live + plan in $mode mode (Calico $calicoVersion, written by $writer)', (c) => {
  it('detects the mode and reads back what was written as unchanged', async () => {
    const { sim: s, kubectl: k } = await startModeCluster(c);
    const desired = desiredFor(c);
    const first = planAgainst(desired, EMPTY);
    expect(first.steps).toHaveLength(desired.resources.size);
    await applyPlan(c, s, k, first);

    const { cluster, live: cache } = await detectAndStartLive(s);
    expect(cluster.apiMode).toBe(c.mode);
    expect(cluster.calicoVersion).toEqual(version(c.calicoVersion));
    expect({ group: cluster.group, version: cluster.version }).toEqual({ group: 'projectcalico.org', version: 'v3' });
    expect(await cache.waitForSync(20_000)).toBe(true);

    // The live state holds exactly the repository's objects: in API server mode the read-only
    // `knp.default.*` view Calico lists for a Kubernetes NetworkPolicy is not a second object.
    expect([...cache.list()].map((r) => r.key).sort()).toEqual([...desired.resources.keys()].sort());
    const plan = planAgainst(desired, cache, { revision: 'rev2' });
    expect(stepsOf(plan)).toEqual([]);
    expect(plan.skipped).toEqual([]);
    expect(plan.unchanged).toBe(desired.resources.size);
    const bookkeeping = c.writer === 'kubectl-repo-yaml' ? { owner: 'calico-gitops' } : { owner: 'calico-gitops', revision: 'rev1' };
    for (const r of cache.list()) expect(r.bookkeeping).toMatchObject(bookkeeping);
  });

  it('plans a field changed by hand (kubectl on projectcalico.org/v3) as an update, an object deleted by hand as a create', async () => {
    const { sim: s, kubectl: k } = await startModeCluster(c);
    const desired = desiredFor(c);
    await applyPlan(c, s, k, planAgainst(desired, EMPTY));
    const { live: cache } = await detectAndStartLive(s);
    expect(await cache.waitForSync(20_000)).toBe(true);
    const before = cache.get('GlobalNetworkPolicy//allow-dns' as never)?.hash;

    await kubectlOk(k, ['patch', 'globalnetworkpolicies.projectcalico.org', 'allow-dns', '--type=merge', '-p', '{"spec":{"order":5}}']);
    await waitFor(() => cache.get('GlobalNetworkPolicy//allow-dns' as never)?.hash !== before);

    const plan = planAgainst(desired, cache, { revision: 'rev2' });
    expect(stepsOf(plan)).toEqual(['update GlobalNetworkPolicy//allow-dns']);
    expect(plan.steps[0]?.before?.spec['order']).toBe(5);
    expect(plan.steps[0]?.manifest.spec['order']).toBe(200);

    // Deleted by hand: planned as a create again.
    await kubectlOk(k, ['delete', 'networksets.projectcalico.org', 'partners', '-n', 'test1']);
    await waitFor(() => cache.get('NetworkSet/test1/partners' as never) === undefined);
    expect(stepsOf(planAgainst(desired, cache, { revision: 'rev2' }))).toEqual(['create NetworkSet/test1/partners', 'update GlobalNetworkPolicy//allow-dns']);
  });
});

it('the Calico API server lists a Kubernetes NetworkPolicy as a read-only knp.default.* NetworkPolicy', async () => {
  const { kubectl: k } = await startModeCluster({ mode: 'apiserver', calicoVersion: 'v3.31.2', writer: 'kubectl-v3' });
  await kubectlOk(k, ['create', 'namespace', 'test2']);
  await kubectlOk(k, ['apply', '-f', '-'], readFileSync(join(FIXTURE_DIR, 'test2-k8s.yaml'), 'utf8'));
  const names = await kubectlOk(k, ['get', 'networkpolicies.projectcalico.org', '-n', 'test2', '-o', 'name']);
  expect(names.trim()).toBe('networkpolicy.projectcalico.org/knp.default.allow-from-test1');
  const view = JSON.parse(await kubectlOk(k, ['get', 'networkpolicies.projectcalico.org', 'knp.default.allow-from-test1', '-n', 'test2', '-o', 'json'])) as Manifest;
  expect(view.spec).toMatchObject({ order: 1000, types: ['Ingress'] });
  const refused = await k.run(['delete', 'networkpolicies.projectcalico.org', 'knp.default.allow-from-test1', '-n', 'test2']);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('kubernetes network policies must be managed through the kubernetes API');
});

// A Kubernetes NetworkPolicy is applied by kubectl in every mode; keep the table honest about it.
it('the fixture holds at least one kind of each writer', () => {
  const desired = desiredFor({ mode: 'apiserver', calicoVersion: 'v3.31.2', writer: 'calicoctl-pod' });
  const kinds = [...desired.resources.values()].map((r) => KINDS[r.kindId].appliedByKubectl);
  expect(new Set(kinds)).toEqual(new Set([true, false]));
});

function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  return expect.poll(cond, { timeout: timeoutMs }).toBe(true);
}
