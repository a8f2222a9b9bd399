import { describe, expect, it } from 'vitest';
import { lastWriteOf, originOf } from '../../agent/live/convert-meta.js';
import { fromCrdObject } from '../../agent/live/convert-crd.js';
import { parseCalicoVersion } from '../../agent/domain/calico-version.js';

const entry = (manager: string, time: string, extra: Record<string, unknown> = {}) => ({ manager, operation: 'Update', time, fieldsType: 'FieldsV1', fieldsV1: {}, ...extra });

describe('lastWriteOf', () => {
  it.each([
    ['no managedFields', {}, undefined],
    ['one entry', { managedFields: [entry('calicoctl', '2026-01-01T00:00:00Z')] }, 'calicoctl'],
    ['the newest wins', { managedFields: [entry('kubectl-edit', '2026-01-01T00:00:05Z'), entry('calicoctl', '2026-01-01T00:00:01Z')] }, 'kubectl-edit'],
    ['a tie goes to the later entry (the one the server just wrote)', { managedFields: [entry('calicoctl', '2026-01-01T00:00:01Z'), entry('kubectl-edit', '2026-01-01T00:00:01Z')] }, 'kubectl-edit'],
    ['status writers do not count', { managedFields: [entry('calicoctl', '2026-01-01T00:00:01Z'), entry('kubelet', '2026-01-01T00:00:09Z', { subresource: 'status' })] }, 'calicoctl'],
  ])('%s', (_what, meta, manager) => {
    expect(lastWriteOf(meta)?.manager).toBe(manager);
  });
});

describe('originOf', () => {
  it('takes apiVersion and kind from the collection when list items omit them', () => {
    expect(originOf({ metadata: { name: 'x', namespace: 'ns', uid: 'u1' } }, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' })).toEqual({
      stored: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'x', namespace: 'ns', uid: 'u1' },
    });
  });

  it('a converted CRD object names its stored identity and last writer', () => {
    const version = parseCalicoVersion('v3.28.0');
    if (!version) throw new Error('version');
    const converted = fromCrdObject({
      kindId: 'GlobalNetworkPolicy',
      calicoVersion: version,
      object: { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: 'default.allow-dns', managedFields: [entry('kubectl-edit', '2026-01-01T00:00:00Z')] }, spec: {} },
    });
    expect(converted?.stored).toEqual({ apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', name: 'default.allow-dns' });
    expect(converted?.lastWrite).toEqual({ manager: 'kubectl-edit', operation: 'Update', time: '2026-01-01T00:00:00Z' });
  });
});
