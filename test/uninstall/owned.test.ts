// The pure half of uninstall: what it deletes (only this instance's objects), in which order, and
// the agent's own objects in removal order.
import { describe, expect, it } from 'vitest';
import type { KindId } from '../../agent/domain/kinds.js';
import { resourceKey } from '../../agent/domain/resource.js';
import type { LiveResource } from '../../agent/domain/state.js';
import { agentObjects, describeAgentObject } from '../../agent/uninstall/agent-objects.js';
import { ownedDeletes } from '../../agent/uninstall/owned.js';

const live = (kindId: KindId, name: string, owner?: string, namespace?: string): LiveResource => ({
  key: resourceKey(kindId, namespace, name),
  kindId,
  manifest: { apiVersion: 'projectcalico.org/v3', kind: kindId, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: {} },
  hash: `h-${name}`,
  bookkeeping: owner ? { owner } : {},
});

describe('ownedDeletes', () => {
  it('deletes only what the instance owns, HostEndpoints first and Tiers last, with the hash before', () => {
    const selection = ownedDeletes({
      instance: 'me',
      live: [
        live('Tier', 'security', 'me'),
        live('GlobalNetworkPolicy', 'security.web', 'me'),
        live('HostEndpoint', 'eth0', 'me'),
        live('NetworkSet', 'office', 'me', 'test1'),
        live('NetworkPolicy', 'db', 'me', 'test1'),
        live('GlobalNetworkPolicy', 'hand-made'),
        live('GlobalNetworkPolicy', 'theirs', 'someone-else'),
      ],
    });
    expect(selection.steps.map((s) => [s.action, s.key, s.beforeHash])).toEqual([
      ['delete', 'HostEndpoint//eth0', 'h-eth0'],
      ['delete', 'NetworkPolicy/test1/db', 'h-db'],
      ['delete', 'GlobalNetworkPolicy//security.web', 'h-security.web'],
      ['delete', 'NetworkSet/test1/office', 'h-office'],
      ['delete', 'Tier//security', 'h-security'],
    ]);
    expect(selection).toMatchObject({ unowned: 1, otherInstances: 1 });
  });
});

describe('agentObjects', () => {
  it('Deployments first, ServiceAccounts last, the Lease named after the cluster', () => {
    const names = agentObjects({ namespace: 'cg', cluster: 'prod' }).map(describeAgentObject);
    expect(names[0]).toBe('Deployment cg/calico-gitops-agent');
    expect(names).toContain('Lease cg/calico-gitops-prod');
    expect(names).toContain('ClusterRole calico-gitops-executor');
    expect(names.at(-1)).toBe('ServiceAccount cg/calico-gitops-executor');
    expect(names.indexOf('ClusterRoleBinding calico-gitops-agent')).toBeLessThan(names.indexOf('ClusterRole calico-gitops-agent'));
  });
});
