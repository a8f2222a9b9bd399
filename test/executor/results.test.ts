import type { V1PodStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { batchesFor } from '../../agent/executor/batches.js';
import { classifyError } from '../../agent/executor/classify.js';
import { renderBatches } from '../../agent/executor/render.js';
import { mapResults } from '../../agent/executor/results.js';
import type { StepOutcome } from '../../agent/domain/index.js';
import { step } from './steps.js';

const steps = [
  step('create', 'Tier', 't'),
  step('create', 'GlobalNetworkPolicy', 't.a'),
  step('update', 'GlobalNetworkPolicy', 't.b'),
  step('create', 'KubernetesNetworkPolicy', 'k1', 'n'),
  step('create', 'KubernetesNetworkPolicy', 'k2', 'n'),
  step('create', 'HostEndpoint', 'h'),
];
const { parts } = renderBatches({ batches: batchesFor(steps) });
const [C0, K1, C2] = ['p000-calicoctl-apply', 'p001-kubectl-apply', 'p002-calicoctl-apply'];

type Exit = number | 'running' | undefined;
function status(exits: Record<string, Exit>, reason?: string): V1PodStatus {
  return {
    ...(reason ? { reason, phase: 'Failed' } : {}),
    initContainerStatuses: Object.entries(exits)
      .filter(([, e]) => e !== undefined)
      .map(([name, e]) => ({
        name,
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: e === 'running' ? { running: {} } : { terminated: { exitCode: e as number } },
      })),
  };
}

const outcomes = (exits: Record<string, Exit>, logs: Record<string, string>, reason?: string) => {
  const mapped = mapResults({ parts, podStatus: status(exits, reason), logs, calicoctlImage: 'quay.io/calico/ctl:v3.30.0' });
  return { outcomes: mapped.results.map((r) => `${r.key.split('/').at(-1)}:${r.outcome}`), failure: mapped.failure?.toJSON(), results: mapped.results };
};

describe('mapResults', () => {
  it.each<[string, Record<string, Exit>, Record<string, string>, string | undefined, string[], string | undefined]>([
    [
      'all succeed',
      { [C0]: 0, [K1]: 0, [C2]: 0 },
      {
        [C0]: "Successfully applied 3 resource(s)\n",
        [K1]: 'networkpolicy.networking.k8s.io/k1 created\nnetworkpolicy.networking.k8s.io/k2 unchanged\n',
        [C2]: "Successfully applied 1 'HostEndpoint' resource(s)\n",
      },
      undefined,
      ['t:ok', 't.a:ok', 't.b:ok', 'k1:ok', 'k2:ok', 'h:ok'],
      undefined,
    ],
    [
      'calicoctl partial success: first ok, the failed one classified, the rest not run',
      { [C0]: 1 },
      { [C0]: "Partial success: applied the first 1 out of 3 resources:\nHit error: error with field Selector = 'bad' (invalid selector)\n" },
      undefined,
      ['t:ok', 't.a:invalid', 't.b:not-run', 'k1:not-run', 'k2:not-run', 'h:not-run'],
      undefined,
    ],
    [
      'calicoctl first resource forbidden (lower-case text of newer releases)',
      { [C0]: 1 },
      { [C0]: 'failed to execute command: connection is unauthorized: tiers.crd.projectcalico.org is forbidden: User "system:serviceaccount:x:y" cannot create resource "tiers"\n' },
      undefined,
      ['t:forbidden', 't.a:not-run', 't.b:not-run', 'k1:not-run', 'k2:not-run', 'h:not-run'],
      undefined,
    ],
    [
      'calicoctl conflict on an update',
      { [C0]: 1 },
      { [C0]: 'Partial success: applied the first 2 out of 3 resources:\nHit error: Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version\n' },
      undefined,
      ['t:ok', 't.a:ok', 't.b:conflict', 'k1:not-run', 'k2:not-run', 'h:not-run'],
      undefined,
    ],
    [
      'kubectl goes on after a failure; each document judged alone',
      { [C0]: 0, [K1]: 1 },
      {
        [C0]: 'Successfully applied 3 resource(s)\n',
        [K1]: 'networkpolicy.networking.k8s.io/k1 created\nError from server (Forbidden): error when creating "/manifests/x/001-kubectl-apply.yaml": networkpolicies.networking.k8s.io "k2" is forbidden: User cannot create\n',
      },
      undefined,
      ['t:ok', 't.a:ok', 't.b:ok', 'k1:ok', 'k2:forbidden', 'h:not-run'],
      undefined,
    ],
    [
      'unknown failure is retryable',
      { [C0]: 0, [K1]: 0, [C2]: 1 },
      { [C0]: 'Successfully applied 3 resource(s)\n', [K1]: '', [C2]: 'Failed to create: dial tcp 10.96.0.1:443: connect: connection refused\n' },
      undefined,
      ['t:ok', 't.a:ok', 't.b:ok', 'k1:ok', 'k2:ok', 'h:retryable'],
      undefined,
    ],
    [
      'deadline: the running container is retryable, later ones not run',
      { [C0]: 0, [K1]: 'running' },
      { [C0]: 'Successfully applied 3 resource(s)\n' },
      'DeadlineExceeded',
      ['t:ok', 't.a:ok', 't.b:ok', 'k1:retryable', 'k2:retryable', 'h:not-run'],
      'deadline',
    ],
    [
      'deadline: a container killed mid-run (137) is retryable',
      { [C0]: 137 },
      {},
      'DeadlineExceeded',
      ['t:retryable', 't.a:retryable', 't.b:retryable', 'k1:not-run', 'k2:not-run', 'h:not-run'],
      'deadline',
    ],
    [
      'version mismatch is its own error, nothing applied',
      { [C0]: 1 },
      { [C0]: 'Version mismatch.\nClient Version:   v3.30.0\nCluster Version:  v3.31.2\nUse --allow-version-mismatch to override.\n' },
      undefined,
      ['t:not-run', 't.a:not-run', 't.b:not-run', 'k1:not-run', 'k2:not-run', 'h:not-run'],
      'version-mismatch',
    ],
  ])('%s', (_name, exits, logs, reason, expected, failureCode) => {
    const got = outcomes(exits, logs, reason);
    expect(got.outcomes).toEqual(expected);
    expect(got.failure?.code).toBe(failureCode);
  });

  it('a forbidden ClusterInformation read is forbidden, not a version mismatch', () => {
    const got = outcomes({ [C0]: 1 }, { [C0]: 'Unable to get Cluster Information to verify version mismatch: clusterinformations.crd.projectcalico.org "default" is forbidden: User "system:serviceaccount:calico-gitops:x" cannot get resource\nUse --allow-version-mismatch to override.\n' });
    expect(got.failure).toBeUndefined();
    expect(got.outcomes[0]).toBe('t:forbidden');
  });

  it('a pod that failed before a container ran (image pull) makes that part retryable and says why', () => {
    const mapped = mapResults({
      parts,
      podStatus: { phase: 'Failed', reason: 'ImagePullBackOff', message: 'image "x" not found', initContainerStatuses: [] },
      logs: {},
    });
    expect(mapped.results.map((r) => r.outcome)).toEqual(['retryable', 'retryable', 'retryable', 'not-run', 'not-run', 'not-run']);
    expect(mapped.results[0]?.message).toContain('ImagePullBackOff: image "x" not found');
    expect(mapped.failure?.toJSON()).toMatchObject({ code: 'pod-failed', disposition: 'transient' });
  });

  it('says which versions differ on a mismatch, and marks it stalled', () => {
    const { failure } = outcomes({ [C0]: 1 }, { [C0]: 'version mismatch.\nclient version: v3.30.0\ncluster version: v3.31.2\n' });
    expect(failure).toMatchObject({ name: 'ExecutorError', code: 'version-mismatch', disposition: 'stalled' });
    expect(failure?.message).toContain('v3.30.0');
    expect(failure?.message).toContain('v3.31.2');
  });

  it('keeps the error text a person needs', () => {
    const { results } = outcomes({ [C0]: 1 }, { [C0]: "Partial success: applied the first 1 out of 3 resources:\nHit error: error with field Selector = 'bad' (invalid selector)\n" });
    expect(results[1]?.message).toBe("Hit error: error with field Selector = 'bad' (invalid selector)");
    expect(results[1]?.action).toBe('create');
  });
});

describe('classifyError', () => {
  it.each<[string, StepOutcome]>([
    ['networkpolicies.crd.projectcalico.org is forbidden: User "x" cannot create resource', 'forbidden'],
    ['Error from server (Forbidden): error when deleting', 'forbidden'],
    ['resource already exists: GlobalNetworkPolicy(a)', 'conflict'],
    ['Operation cannot be fulfilled on x: The object has been modified', 'conflict'],
    ['Failed to validate: error with field Ports', 'invalid'],
    ['Error from server (Invalid): NetworkPolicy.networking.k8s.io "x" is invalid', 'invalid'],
    ['resource does not exist: Tier(security)', 'invalid'],
    ['connection refused', 'retryable'],
    ['the server is currently unable to handle the request', 'retryable'],
  ])('%s → %s', (text, expected) => {
    expect(classifyError(text)).toBe(expected);
  });
});
