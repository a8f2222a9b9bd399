import { describe, expect, it } from 'vitest';
import { batchesFor } from '../../agent/executor/batches.js';
import type { PlanStep } from '../../agent/domain/index.js';
import { step } from './steps.js';

const shape = (steps: PlanStep[]) => batchesFor(steps).map((b) => `${b.tool}:${b.verb}:${b.steps.map((s) => s.manifest.metadata.name).join(',')}`);

describe('batchesFor', () => {
  it.each<[string, PlanStep[], string[]]>([
    ['empty plan', [], []],
    [
      'full apply order, k8s policy in its own container between NP and HEP',
      [
        step('create', 'Tier', 'security'),
        step('create', 'GlobalNetworkSet', 'gns'),
        step('create', 'NetworkSet', 'ns1', 'test1'),
        step('create', 'GlobalNetworkPolicy', 'security.gnp'),
        step('update', 'NetworkPolicy', 'np', 'test1'),
        step('create', 'KubernetesNetworkPolicy', 'knp', 'test1'),
        step('create', 'HostEndpoint', 'hep'),
      ],
      ['calicoctl:apply:security,gns,ns1,security.gnp,np', 'kubectl:apply:knp', 'calicoctl:apply:hep'],
    ],
    [
      'interleaved Calico and k8s policies of one rank do not make a container each',
      [
        step('create', 'NetworkPolicy', 'a', 'n'),
        step('create', 'KubernetesNetworkPolicy', 'k1', 'n'),
        step('create', 'NetworkPolicy', 'b', 'n'),
        step('create', 'KubernetesNetworkPolicy', 'k2', 'n'),
      ],
      ['calicoctl:apply:a,b', 'kubectl:apply:k1,k2'],
    ],
    [
      'deletes come after applies and keep the reverse order',
      [
        step('create', 'GlobalNetworkPolicy', 'g'),
        step('delete', 'HostEndpoint', 'hep'),
        step('delete', 'KubernetesNetworkPolicy', 'k', 'n'),
        step('delete', 'NetworkPolicy', 'np', 'n'),
        step('delete', 'Tier', 't'),
      ],
      ['calicoctl:apply:g', 'calicoctl:delete:hep,np', 'kubectl:delete:k', 'calicoctl:delete:t'],
    ],
    [
      'ranks never swap even when it would merge containers',
      [step('create', 'KubernetesNetworkPolicy', 'k', 'n'), step('create', 'HostEndpoint', 'h'), step('create', 'GlobalNetworkPolicy', 'late')],
      ['kubectl:apply:k', 'calicoctl:apply:h,late'],
    ],
    [
      // apply would try a create first (refused with 409) before the update: two writes for one change.
      'a batch of Calico updates only is replaced, one write each; kubectl applies either way',
      [step('update', 'NetworkPolicy', 'a', 'n'), step('update', 'GlobalNetworkPolicy', 'g'), step('update', 'KubernetesNetworkPolicy', 'k', 'n')],
      ['calicoctl:replace:a,g', 'kubectl:apply:k'],
    ],
    [
      'a batch that mixes creates and updates stays one apply (no extra container)',
      [step('create', 'NetworkPolicy', 'new', 'n'), step('update', 'NetworkPolicy', 'old', 'n')],
      ['calicoctl:apply:new,old'],
    ],
    [
      'updates around a kubectl batch are replaced in each of their batches',
      [step('update', 'KubernetesNetworkPolicy', 'k', 'n'), step('update', 'HostEndpoint', 'h'), step('update', 'GlobalNetworkPolicy', 'late')],
      ['kubectl:apply:k', 'calicoctl:replace:h,late'],
    ],
  ])('%s', (_name, steps, expected) => {
    expect(shape(steps)).toEqual(expected);
  });

  it('does not mutate its input', () => {
    const steps = [step('create', 'KubernetesNetworkPolicy', 'k', 'n'), step('create', 'NetworkPolicy', 'a', 'n')];
    const copy = structuredClone(steps);
    batchesFor(steps);
    expect(steps).toEqual(copy);
  });
});
