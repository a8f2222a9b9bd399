// Shared by the simulator tests: the fixture repository, its desired state, and applying a plan
// the way the executor does (calicoctl for Calico kinds, kubectl for Kubernetes NetworkPolicies).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import pino from 'pino';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion, type CalicoVersion } from '../../agent/domain/calico-version.js';
import { KINDS } from '../../agent/domain/kinds.js';
import type { Logger } from '../../agent/domain/runtime.js';
import type { DesiredState, LiveView, Plan, SourceFile } from '../../agent/domain/state.js';
import { createKubeClients } from '../../agent/kube/client.js';
import { detectCluster } from '../../agent/kube/detect.js';
import { createLiveCache } from '../../agent/live/create-live-cache.js';
import type { LiveCache } from '../../agent/live/live-cache.js';
import { buildPlan } from '../../agent/plan/build-plan.js';
import type { KubeSim } from '../kube-sim/index.js';
import { applyWith } from './sim-apply.js';

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'plan', 'policies');

export function fixtureFiles(version: CalicoVersion): SourceFile[] {
  const tiers = version.major > 3 || version.minor >= 29;
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.yaml') && (tiers || f !== 'tier.yaml'))
    .sort()
    .map((f) => ({ path: f, content: readFileSync(join(FIXTURE_DIR, f), 'utf8') }));
}

export function desiredFrom(files: readonly SourceFile[], version: CalicoVersion): DesiredState {
  const r = buildDesiredState({ files, calicoVersion: version });
  if (r.errors.length > 0) throw new Error(`fixture invalid: ${JSON.stringify(r.errors)}`);
  return r.state;
}

export const version = (text: string): CalicoVersion => {
  const v = parseCalicoVersion(text);
  if (!v) throw new Error(text);
  return v;
};

const EMPTY: LiveView = { isSynced: () => true, get: () => undefined, list: () => [] };

export function planAgainst(desired: DesiredState, live: LiveView, extra: { revision?: string; allowDeletes?: number; adopt?: boolean } = {}): Plan {
  return buildPlan({
    desired,
    live,
    revision: extra.revision ?? 'rev1',
    instance: 'calico-gitops',
    adopt: extra.adopt ?? false,
    deleteBudgetPercent: 25,
    ...(extra.allowDeletes === undefined ? {} : { allowDeletes: extra.allowDeletes }),
  });
}

/** Applies every create/update of a plan in its order, as the executor's pod would. */
export async function applyPlan(sim: KubeSim, plan: Plan): Promise<void> {
  const writes = plan.steps.filter((s) => s.action !== 'delete');
  await applyWith(sim, 'calicoctl', writes.filter((s) => !KINDS[s.kindId].appliedByKubectl).map((s) => s.manifest));
  await applyWith(sim, 'kubectl', writes.filter((s) => KINDS[s.kindId].appliedByKubectl).map((s) => s.manifest));
}

/** Applies the fixture repository as the agent would on first sync (everything created, owned). */
export async function applyDesired(sim: KubeSim, desired: DesiredState): Promise<Plan> {
  const plan = planAgainst(desired, EMPTY);
  await applyPlan(sim, plan);
  return plan;
}

export async function startLive(
  sim: KubeSim,
  dir: string,
  o: { resyncIntervalMs?: number; backoff?: { initialMs: number; maxMs: number }; logger?: Logger } = {},
): Promise<LiveCache> {
  const kubeconfig = join(dir, 'kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
  const clients = createKubeClients({ kubeconfig });
  const cluster = await detectCluster(clients);
  const live = createLiveCache({
    clients,
    cluster,
    logger: o.logger ?? pino({ level: 'silent' }),
    ...(o.resyncIntervalMs === undefined ? {} : { resyncIntervalMs: o.resyncIntervalMs }),
    ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
    watchTimeoutSeconds: 30,
  });
  live.start();
  return live;
}

export async function writeText(file: string, text: string): Promise<void> {
  await writeFile(file, text);
}
