// The Kubernetes API misbehaves during a sync, at a set rate, through the simulator's fault
// injection (test/kube-sim/faults.ts): 5xx answers, 409 conflicts, dropped watches and slow answers
// on the Calico API, which both the agent (list, watch) and the calicoctl pod (writes) use. Each
// commit still ends applied, once, with nothing left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../kube-sim/index.js';
import { cleanupGitFixtures, samplePolicyYaml } from '../support/git-fixtures.js';
import { recordFault } from './ledger.js';
import { change, startFaultRig, type FaultRig } from './rig.js';

let rig: FaultRig;
const present = new Set(['base']);
let order = 10;

beforeAll(async () => {
  rig = await startFaultRig({ files: { 'base.yaml': samplePolicyYaml('base', { order: 1 }) } });
  await rig.startAgent();
  await rig.converged({ sha: rig.firstSha, fault: 'none (first sync)', injected: 0, policies: ['base'], changes: [change('create', 'base')] });
}, 120_000);

afterAll(async () => {
  await rig?.stop();
  await cleanupGitFixtures();
}, 60_000);

const CALICO = '/apis/crd.projectcalico.org/';

/** Rules that fired: `times` minus what the simulator still has left. */
async function fired(rule: FaultRule & { times: number }): Promise<number> {
  const { stdout } = await rig.installed.kubectl(['get', '--raw', '/_sim/faults']);
  const left = (JSON.parse(stdout) as { rules: FaultRule[] }).rules[0]?.times ?? 0;
  return rule.times - left;
}

describe('API faults during a sync', () => {
  it.each<[string, FaultRule & { times: number }, 'create' | 'update']>([
    ['API 503 at 40%', { pathPrefix: CALICO, status: 503, rate: 0.4, times: 12 }, 'create'],
    ['API 500 on writes', { pathPrefix: CALICO, method: 'POST', status: 500, rate: 1, times: 2 }, 'create'],
    ['API 409 on updates', { pathPrefix: CALICO, method: 'PUT', status: 409, rate: 1, times: 2 }, 'update'],
    ['dropped watches', { pathPrefix: CALICO, dropWatch: true, rate: 1, times: 6 }, 'create'],
    ['slow answers (400 ms at 50%)', { pathPrefix: CALICO, latencyMs: 400, rate: 0.5, times: 40 }, 'create'],
  ])('%s', async (fault, rule, action) => {
    const name = action === 'update' ? 'base' : `p-${fault.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/-+$/, '')}`;
    rig.sim.faults.set([rule]);
    order += 1;
    const sha = await rig.work.commitAndPush({ files: { [`${name}.yaml`]: samplePolicyYaml(name, { order }) }, message: `${action} ${name}` });
    present.add(name);
    let count: number | undefined;
    try {
      await rig.converged({ sha, fault, injected: 0, policies: [...present], changes: [change(action, name)], timeoutMs: 120_000 });
    } finally {
      count = await fired(rule).catch(() => 0);
      rig.sim.faults.clear();
      recordFault({ fault: `${fault} (fired)`, injected: count, syncs: 0, converged: 0, lost: 0, doubleApplies: 0 });
    }
    expect(count ?? 0).toBeGreaterThan(0);
  }, 150_000);
});

describe('a partial failure, then a retry', () => {
  // The first attempt creates `aa-partial` and fails on the update; the retry must not apply and
  // audit `aa-partial` a second time.
  it('audits each change of a retried job once', async () => {
    rig.sim.faults.set([{ pathPrefix: CALICO, method: 'PUT', status: 503, rate: 1, times: 1 }]);
    order += 1;
    const sha = await rig.work.commitAndPush({ files: { 'base.yaml': samplePolicyYaml('base', { order }), 'aa-partial.yaml': samplePolicyYaml('aa-partial', { order: 5 }) }, message: 'update base, add aa-partial' });
    present.add('aa-partial');
    try {
      await rig.converged({ sha, fault: 'API 503 on the second step of a plan', injected: 1, policies: [...present], changes: [change('update', 'base'), change('create', 'aa-partial')], timeoutMs: 120_000 });
    } finally {
      rig.sim.faults.clear();
    }
  }, 150_000);
});
