import { describe, expect, it } from 'vitest';
import { detectDrift } from '../../agent/drift/detect-drift.js';
import type { AppliedState } from '../../agent/drift/types.js';
import type { ResourceKey } from '../../agent/domain/resource.js';
import type { LiveResource } from '../../agent/domain/state.js';
import { desired, live, liveView } from '../plan/helpers.js';

const A = desired('GlobalNetworkPolicy', 'allow-dns', { selector: 'all()', order: 10 });
const B = desired('NetworkPolicy', 'web', { selector: "app == 'web'" }, 'test1');
const applied: AppliedState = { revision: 'r1', resources: new Map([[A.key, A], [B.key, B]]) };
const NOW = '2026-12-02T06:00:00.000Z';
const edit = { manager: 'kubectl-edit', operation: 'Update', time: '2026-12-02T05:59:59Z' };

const ours = (r: LiveResource, extra: Partial<LiveResource> = {}): LiveResource => ({
  ...r,
  bookkeeping: { owner: 'calico-gitops', revision: 'r1', specHash: r.hash },
  ...extra,
});
const liveA = ours(live('GlobalNetworkPolicy', 'allow-dns', { selector: 'all()', order: 10 }));
const liveB = ours(live('NetworkPolicy', 'web', { selector: "app == 'web'" }, { namespace: 'test1' }));
const editedA = { ...ours(live('GlobalNetworkPolicy', 'allow-dns', { selector: 'all()', order: 99 })), bookkeeping: liveA.bookkeeping, lastWrite: edit };

describe('detectDrift', () => {
  it.each<[string, LiveResource[], { inFlight?: ResourceKey[]; pending?: string[]; keys?: ResourceKey[] }, { key: string; change: string; manager?: string }[]]>([
    ['everything as applied: no drift', [liveA, liveB], {}, []],
    ['an owned object edited by hand: modified, with its field manager', [editedA, liveB], {}, [{ key: A.key, change: 'modified', manager: 'kubectl-edit' }]],
    ['an owned object deleted by hand', [liveB], {}, [{ key: A.key, change: 'deleted' }]],
    ['the owner annotation taken off: disowned', [{ ...liveA, bookkeeping: { revision: 'r1', specHash: liveA.hash }, lastWrite: { ...edit, manager: 'kubectl-annotate' } }, liveB], {}, [{ key: A.key, change: 'disowned', manager: 'kubectl-annotate' }]],
    ['a foreign object under a key Git defines: intruder', [{ ...liveA, bookkeeping: {}, lastWrite: { ...edit, manager: 'kubectl-create' } }, liveB], {}, [{ key: A.key, change: 'intruder', manager: 'kubectl-create' }]],
    ['another instance owns it: intruder', [{ ...liveA, bookkeeping: { owner: 'other' } }, liveB], {}, [{ key: A.key, change: 'intruder' }]],
    ['our executor writing it (job in flight): not drift', [editedA], { inFlight: [A.key, B.key] }, []],
    ['a newer commit being synced (its revision and spec hash): not drift', [{ ...editedA, bookkeeping: { owner: 'calico-gitops', revision: 'r2', specHash: editedA.hash } }, liveB], { pending: ['r2'] }, []],
    ['a hand edit on top of a newer commit (spec hash no longer matches): drift', [{ ...editedA, bookkeeping: { owner: 'calico-gitops', revision: 'r2', specHash: 'other' } }, liveB], { pending: ['r2'] }, [{ key: A.key, change: 'modified', manager: 'kubectl-edit' }]],
    ['only the keys of the event are checked', [liveA], { keys: [A.key] }, []],
    ['a key Git does not define is never drift', [liveA, liveB], { keys: ['GlobalNetworkPolicy//other' as ResourceKey] }, []],
    ['both at once, sorted by key', [editedA], {}, [{ key: A.key, change: 'modified', manager: 'kubectl-edit' }, { key: B.key, change: 'deleted' }]],
  ])('%s', (_what, objects, o, expected) => {
    const found = detectDrift({
      applied,
      live: liveView(objects),
      instance: 'calico-gitops',
      inFlight: new Set(o.inFlight ?? []),
      pendingRevisions: new Set(o.pending ?? []),
      ...(o.keys ? { keys: o.keys } : {}),
      now: NOW,
    });
    expect(found.map((f) => ({ key: f.key, change: f.change, ...(f.manager ? { manager: f.manager } : {}) }))).toEqual(expected);
  });

  it('any hash difference (labels, user annotations) is drift', () => {
    const labelled = { ...liveA, manifest: { ...liveA.manifest, metadata: { ...liveA.manifest.metadata, labels: { x: 'y' } } } };
    const relabelled = { ...labelled, hash: 'changed-by-label' };
    expect(detectDrift({ applied, live: liveView([relabelled, liveB]), instance: 'calico-gitops', inFlight: new Set(), pendingRevisions: new Set(), now: NOW })).toHaveLength(1);
  });

  it('a delete names the time it was seen and the object as last stored', () => {
    const stored = { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', name: 'default.allow-dns' };
    const [entry] = detectDrift({ applied, live: liveView([liveB]), instance: 'calico-gitops', inFlight: new Set(), pendingRevisions: new Set(), now: NOW, lastSeen: () => ({ ...liveA, stored }) });
    expect(entry).toMatchObject({ change: 'deleted', time: NOW, stored, appliedHash: A.hash });
  });
});
