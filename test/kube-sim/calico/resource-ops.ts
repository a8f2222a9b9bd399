// calicoctl's resource manager over the Kubernetes datastore: create, update (replace), apply,
// delete, get and list of one v3 resource, through the API server as the pod's identity.
// Semantics follow calicoctl's resourcemgr.go: apply = create, then update on AlreadyExists;
// update takes the latest resourceVersion unless the input carries one, which must be current.
import { CALICO_CRD_GROUP, CALICO_CRD_VERSION } from '../../../agent/domain/index.js';
import type { CalicoVersion } from '../../../agent/domain/index.js';
import { alreadyExists, fromResponse, identifier, notSupported, updateConflict } from './ctl-errors.js';
import type { CtlError } from './ctl-errors.js';
import type { CtlKind } from './ctl-kinds.js';
import { CTL_KINDS, hasKind } from './ctl-kinds.js';
import type { KubeApi, KubeResponse } from './kube-api.js';
import { DEFAULT_TIER, TIER_LABEL, fromStorage, storedName, tierOf, toStorage } from './storage.js';
import type { CalicoObject } from './storage.js';

export type OpResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CtlError };

export interface ResourceOps {
  apply(o: CalicoObject): Promise<OpResult<CalicoObject>>;
  create(o: CalicoObject): Promise<OpResult<CalicoObject>>;
  update(o: CalicoObject): Promise<OpResult<CalicoObject>>;
  delete(o: { kind: CtlKind; name: string; namespace?: string }): Promise<OpResult<CalicoObject>>;
  get(o: { kind: CtlKind; name: string; namespace?: string }): Promise<OpResult<CalicoObject>>;
  /** `namespace` undefined lists every namespace. */
  list(o: { kind: CtlKind; namespace?: string }): Promise<OpResult<{ items: CalicoObject[]; resourceVersion: string }>>;
}

const BASE = `/apis/${CALICO_CRD_GROUP}/${CALICO_CRD_VERSION}`;

function collectionPath(kind: CtlKind, namespace: string | undefined): string {
  return kind.namespaced && namespace ? `${BASE}/namespaces/${encodeURIComponent(namespace)}/${kind.plural}` : `${BASE}/${kind.plural}`;
}

function objectPath(kind: CtlKind, namespace: string | undefined, name: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

function fail<T>(error: CtlError): OpResult<T> {
  return { ok: false, error };
}

function kindOf(o: CalicoObject): CtlKind {
  const kind = CTL_KINDS.find((k) => k.kind === o.kind);
  if (!kind) throw new TypeError(`no calicoctl kind ${o.kind}`);
  return kind;
}

export function createResourceOps(o: { api: KubeApi; version: CalicoVersion }): ResourceOps {
  const { api, version } = o;
  const idOf = (kind: CtlKind, name: string, namespace?: string): string => identifier(kind.kind, name, kind.namespaced ? namespace : undefined);
  const decode = (kind: CtlKind, res: KubeResponse): CalicoObject => fromStorage({ object: res.body as Record<string, unknown>, kind, version });

  async function tierExists(tier: string, id: string): Promise<CtlError | undefined> {
    // The default tier always exists (calico-node / kube-controllers create it).
    if (tier === DEFAULT_TIER) return undefined;
    const tierKind = CTL_KINDS.find((k) => k.kind === 'Tier');
    if (!tierKind) return undefined;
    const res = await api.request({ method: 'GET', path: objectPath(tierKind, undefined, tier) });
    if (res.status === 200) return undefined;
    return fromResponse(res, res.status === 404 ? identifier('Tier', tier) : id, 'get');
  }

  async function getStored(kind: CtlKind, name: string, namespace: string | undefined, tier: string): Promise<{ res: KubeResponse; stored: string }> {
    const stored = storedName({ kind, name, tier, version });
    const res = await api.request({ method: 'GET', path: objectPath(kind, namespace, stored) });
    // From v3.32 policies are stored under their plain name, but objects written by older
    // versions keep the legacy `default.` prefix; libcalico looks for both.
    if (res.status === 404 && kind.isPolicy && stored === name && tier === DEFAULT_TIER) {
      const legacy = await api.request({ method: 'GET', path: objectPath(kind, namespace, `default.${name}`) });
      if (legacy.status === 200) return { res: legacy, stored: `default.${name}` };
    }
    return { res, stored };
  }

  async function create(obj: CalicoObject): Promise<OpResult<CalicoObject>> {
    const kind = kindOf(obj);
    const id = idOf(kind, obj.metadata.name, obj.metadata.namespace);
    if (kind.readOnly) return fail(notSupported('create', kind.kind, 'resource is readonly'));
    if (kind.isPolicy) {
      const missing = await tierExists(tierOf(obj.spec), id);
      if (missing) return fail(missing);
    }
    const { resourceVersion: _rv, ...meta } = obj.metadata;
    const body = toStorage({ object: { ...obj, metadata: meta }, kind, version });
    const res = await api.request({ method: 'POST', path: collectionPath(kind, obj.metadata.namespace), body });
    if (res.status === 200 || res.status === 201) return { ok: true, value: decode(kind, res) };
    if (res.status === 409) return fail(alreadyExists(id));
    return fail(fromResponse(res, id, 'create'));
  }

  async function update(obj: CalicoObject): Promise<OpResult<CalicoObject>> {
    const kind = kindOf(obj);
    const id = idOf(kind, obj.metadata.name, obj.metadata.namespace);
    if (kind.readOnly) return fail(notSupported('update', kind.kind, 'resource is readonly'));
    const wanted = obj.metadata.resourceVersion;
    const tier = tierOf(obj.spec);
    // Without a resourceVersion calicoctl retries conflicts (5 attempts); with one it never does.
    for (let attempt = 0; attempt < (wanted ? 1 : 5); attempt += 1) {
      const { res: current, stored } = await getStored(kind, obj.metadata.name, obj.metadata.namespace, tier);
      if (current.status !== 200) return fail(fromResponse(current, id, 'get'));
      const latest = ((current.body as Record<string, unknown>)['metadata'] as Record<string, unknown> | undefined)?.['resourceVersion'];
      // libcalico's conflict error prints only the identifier, not the versions.
      if (wanted && wanted !== latest) return fail(updateConflict(id));
      if (kind.isPolicy) {
        const missing = await tierExists(tier, id);
        if (missing) return fail(missing);
      }
      const body = toStorage({ object: { ...obj, metadata: { ...obj.metadata, resourceVersion: String(latest ?? '') } }, kind, version });
      const meta = body['metadata'] as Record<string, unknown>;
      meta['name'] = stored;
      const res = await api.request({ method: 'PUT', path: objectPath(kind, obj.metadata.namespace, stored), body });
      if (res.status === 200 || res.status === 201) return { ok: true, value: decode(kind, res) };
      if (res.status === 409 && !wanted) continue;
      return fail(fromResponse(res, id, 'update'));
    }
    return fail(updateConflict(id));
  }

  async function apply(obj: CalicoObject): Promise<OpResult<CalicoObject>> {
    const created = await create(obj);
    if (created.ok || (created.error.kind !== 'already-exists' && created.error.kind !== 'not-supported')) return created;
    return update(obj);
  }

  async function remove(ref: { kind: CtlKind; name: string; namespace?: string }): Promise<OpResult<CalicoObject>> {
    const { kind, name, namespace } = ref;
    const id = idOf(kind, name, namespace);
    if (kind.readOnly) return fail(notSupported('delete', kind.kind, 'resource is readonly'));
    if (kind.kind === 'Tier') {
      const busy = await tierHoldsPolicies(name);
      if (busy) return fail(busy);
    }
    // The tier of a policy to delete is only known from the name (v3.29–v3.31 `<tier>.<name>`).
    const dot = name.indexOf('.');
    const tier = kind.isPolicy && dot > 0 ? name.slice(0, dot) : DEFAULT_TIER;
    const { res: current, stored } = await getStored(kind, name, namespace, tier);
    if (current.status !== 200) return fail(fromResponse(current, id, 'get'));
    const res = await api.request({ method: 'DELETE', path: objectPath(kind, namespace, stored) });
    if (res.status === 200 || res.status === 202) return { ok: true, value: decode(kind, current) };
    return fail(fromResponse(res, id, 'delete'));
  }

  async function tierHoldsPolicies(tier: string): Promise<CtlError | undefined> {
    const selector = encodeURIComponent(`${TIER_LABEL}=${tier}`);
    for (const kind of CTL_KINDS.filter((k) => k.isPolicy && hasKind(k, version))) {
      const res = await api.request({ method: 'GET', path: `${collectionPath(kind, undefined)}?labelSelector=${selector}&limit=1` });
      if (res.status === 404) continue;
      if (res.status !== 200) return fromResponse(res, identifier('Tier', tier), 'list');
      const items = (res.body as Record<string, unknown>)['items'];
      if (Array.isArray(items) && items.length > 0) return notSupported('delete', `Tier(${tier})`, 'Cannot delete a non-empty tier');
    }
    return undefined;
  }

  async function get(ref: { kind: CtlKind; name: string; namespace?: string }): Promise<OpResult<CalicoObject>> {
    const { kind, name, namespace } = ref;
    const dot = name.indexOf('.');
    const tier = kind.isPolicy && dot > 0 ? name.slice(0, dot) : DEFAULT_TIER;
    const { res } = await getStored(kind, name, namespace, tier);
    if (res.status !== 200) return fail(fromResponse(res, idOf(kind, name, namespace), 'get'));
    return { ok: true, value: decode(kind, res) };
  }

  async function list(ref: { kind: CtlKind; namespace?: string }): Promise<OpResult<{ items: CalicoObject[]; resourceVersion: string }>> {
    const res = await api.request({ method: 'GET', path: collectionPath(ref.kind, ref.namespace) });
    if (res.status !== 200) return fail(fromResponse(res, identifier(ref.kind.kind, ''), 'list'));
    const body = res.body as Record<string, unknown>;
    const raw = Array.isArray(body['items']) ? (body['items'] as Record<string, unknown>[]) : [];
    const meta = (body['metadata'] ?? {}) as Record<string, unknown>;
    const items = raw.map((item) => fromStorage({ object: item, kind: ref.kind, version }));
    return { ok: true, value: { items, resourceVersion: String(meta['resourceVersion'] ?? '') } };
  }

  return { apply, create, update, delete: remove, get, list };
}

