// `calicoApiServer: true`: projectcalico.org/v3 served the way the Calico API server serves it, as a
// view over the crd.projectcalico.org/v1 storage (names, tiers and the metadata annotation converted
// by the calicoctl emulation's storage rules), with the project's validator run on writes. RBAC is
// checked on the projectcalico.org group by the router; storage is then accessed with the API
// server's own rights, as the real aggregated server does. Kubernetes NetworkPolicies also show as
// read-only NetworkPolicies `knp.default.<name>` (list and get; see calico/k8s-policy-view.ts).
import type { ServerResponse } from 'node:http';
import type { CalicoVersion, JsonObject } from '../../agent/domain/index.js';
import { parseCalicoVersion } from '../../agent/domain/index.js';
import type { CtlError } from './calico/ctl-errors.js';
import { CTL_KINDS, hasKind, type CtlKind } from './calico/ctl-kinds.js';
import type { KubeApi as CtlKubeApi, KubeResponse } from './calico/kube-api.js';
import { createResourceOps, type ResourceOps } from './calico/resource-ops.js';
import { fromStorage, type CalicoObject } from './calico/storage.js';
import { KNP_PREFIX, knpView } from './calico/k8s-policy-view.js';
import { projectValidator } from './calico/validate.js';
import type { KubeApi } from './api.js';
import { isObj, metaOf, str } from './meta.js';
import { jsonPatch, mergePatch } from './patch.js';
import type { TypeRegistry } from './registry.js';
import { requestInfo } from './request-info.js';
import { CRUD_VERBS, type ResourceType } from './resource-types.js';
import { ApiError, badRequest, conflict, invalid, notFound, unsupportedMediaType, type Json } from './status.js';
import type { ObjectStore } from './store.js';
import { serveWatch, type WatchRequest } from './watch.js';

export const CALICO_V3_GROUP = 'projectcalico.org';

export function calicoV3Types(version: string): ResourceType[] {
  const v = parseCalicoVersion(version);
  if (!v) return [];
  return CTL_KINDS.filter((k) => hasKind(k, v)).map((k) => ({
    group: CALICO_V3_GROUP,
    version: 'v3',
    resource: k.plural,
    kind: k.kind,
    singular: k.kind.toLowerCase(),
    namespaced: k.namespaced,
    verbs: CRUD_VERBS,
    subresources: [],
    builtin: false,
  }));
}

/** calicoctl's storage layer talking to the store directly, with the API server's own rights. */
function inProcess(api: KubeApi, registry: TypeRegistry): CtlKubeApi {
  return {
    request(o): Promise<KubeResponse> {
      const url = new URL(o.path, 'http://sim.invalid');
      const info = requestInfo(o.method, url);
      try {
        if (!info.isResource) throw badRequest('not a resource path');
        const t = registry.find(info.group, info.version, info.resource);
        if (!t) throw notFound(info.group, info.resource, info.name);
        const ns = t.namespaced ? info.namespace : '';
        let body: Json;
        if (info.verb === 'get') body = api.get(t, ns, info.name);
        else if (info.verb === 'list') body = api.list(t, ns, { labelSelector: url.searchParams.get('labelSelector'), fieldSelector: url.searchParams.get('fieldSelector') });
        else if (info.verb === 'create') body = api.create(t, ns, o.body);
        else if (info.verb === 'update') body = api.update(t, ns, info.name, o.body);
        else if (info.verb === 'delete') body = api.delete(t, ns, info.name).body;
        else throw badRequest(`unsupported ${o.method}`);
        return Promise.resolve({ status: info.verb === 'create' ? 201 : 200, body });
      } catch (e) {
        if (e instanceof ApiError) return Promise.resolve({ status: e.code, body: e.toStatus() });
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
  };
}

function toJson(o: CalicoObject): Json {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { ...o.metadata }, spec: o.spec };
}

function toStatusError(t: ResourceType, name: string, e: CtlError): ApiError {
  switch (e.kind) {
    case 'does-not-exist':
      return notFound(t.group, t.resource, name);
    case 'already-exists':
      return new ApiError({ code: 409, reason: 'AlreadyExists', message: `${t.resource}.${t.group} "${name}" already exists`, details: { name, group: t.group, kind: t.resource } });
    case 'update-conflict':
      return conflict(t.group, t.resource, name);
    case 'unauthorized':
      return new ApiError({ code: 403, reason: 'Forbidden', message: e.message });
    case 'validation':
      return invalid({ group: t.group, kind: t.kind, name, errors: [{ type: 'Invalid', field: 'spec', value: '', detail: e.message }] });
    case 'not-supported':
      return new ApiError({ code: 405, reason: 'MethodNotAllowed', message: e.message });
    default:
      return new ApiError({ code: 500, reason: 'InternalError', message: e.message });
  }
}

export interface CalicoV3Context {
  readonly api: KubeApi;
  readonly registry: TypeRegistry;
  readonly store: ObjectStore;
  readonly calicoVersion: string;
}

export class CalicoApiServer {
  private readonly ops: ResourceOps;
  private readonly version: CalicoVersion;

  constructor(private readonly c: CalicoV3Context) {
    const v = parseCalicoVersion(c.calicoVersion);
    if (!v) throw new Error(`kube-sim: bad Calico version ${c.calicoVersion}`);
    this.version = v;
    this.ops = createResourceOps({ api: inProcess(c.api, c.registry), version: v });
  }

  private kind(t: ResourceType): CtlKind {
    const k = CTL_KINDS.find((x) => x.kind === t.kind);
    if (!k) throw notFound(t.group, t.resource, '');
    return k;
  }

  async get(t: ResourceType, ns: string, name: string): Promise<Json> {
    if (this.isKnp(t, name)) {
      const np = this.c.store.get('networking.k8s.io/networkpolicies', ns, name.slice(KNP_PREFIX.length));
      if (!np) throw notFound(t.group, t.resource, name);
      return knpView(np);
    }
    const r = await this.ops.get({ kind: this.kind(t), name, ...(t.namespaced ? { namespace: ns } : {}) });
    if (!r.ok) throw toStatusError(t, name, r.error);
    return toJson(r.value);
  }

  async list(t: ResourceType, ns: string, match: (o: Json) => boolean): Promise<Json> {
    const r = await this.ops.list({ kind: this.kind(t), ...(t.namespaced && ns ? { namespace: ns } : {}) });
    if (!r.ok) throw toStatusError(t, '', r.error);
    // Like the real API server, NetworkPolicies include read-only views of Kubernetes NetworkPolicies.
    const views = t.kind === 'NetworkPolicy' ? this.c.store.list('networking.k8s.io/networkpolicies', ns || undefined).map(knpView) : [];
    return { apiVersion: `${CALICO_V3_GROUP}/v3`, kind: `${t.kind}List`, metadata: { resourceVersion: r.value.resourceVersion }, items: [...r.value.items.map(toJson), ...views].filter(match) };
  }

  private isKnp(t: ResourceType, name: string): boolean {
    return t.kind === 'NetworkPolicy' && name.startsWith(KNP_PREFIX);
  }

  /** Calico refuses writes to the views: "kubernetes network policies must be managed through the kubernetes API". */
  private refuseKnp(t: ResourceType, name: string): void {
    if (this.isKnp(t, name)) throw new ApiError({ code: 405, reason: 'MethodNotAllowed', message: 'kubernetes network policies must be managed through the kubernetes API' });
  }

  async create(t: ResourceType, ns: string, body: unknown): Promise<Json> {
    const obj = this.checked(t, ns, body);
    this.refuseKnp(t, obj.metadata.name);
    const r = await this.ops.create(obj);
    if (!r.ok) throw toStatusError(t, obj.metadata.name, r.error);
    return toJson(r.value);
  }

  async update(t: ResourceType, ns: string, name: string, body: unknown): Promise<Json> {
    this.refuseKnp(t, name);
    const obj = this.checked(t, ns, body);
    if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    const r = await this.ops.update(obj);
    if (!r.ok) throw toStatusError(t, name, r.error);
    return toJson(r.value);
  }

  async patch(t: ResourceType, ns: string, name: string, contentType: string, raw: string): Promise<Json> {
    const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const current = await this.get(t, ns, name);
    let patch: unknown;
    try {
      patch = JSON.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    let next: unknown;
    if (type === 'application/merge-patch+json') next = mergePatch(current, patch);
    else if (type === 'application/json-patch+json') next = jsonPatch(current, patch);
    else throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']);
    return this.update(t, ns, name, next);
  }

  /** Preconditions are checked against the converted object, as the API server's storage layer does. */
  async delete(t: ResourceType, ns: string, name: string, preconditions: { uid?: string; resourceVersion?: string } = {}): Promise<Json> {
    this.refuseKnp(t, name);
    if (preconditions.uid || preconditions.resourceVersion) {
      const meta = metaOf(await this.get(t, ns, name));
      if (preconditions.uid && preconditions.uid !== str(meta['uid'])) {
        throw conflict(t.group, t.resource, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${str(meta['uid'])}`);
      }
      if (preconditions.resourceVersion && preconditions.resourceVersion !== str(meta['resourceVersion'])) {
        throw conflict(t.group, t.resource, name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${str(meta['resourceVersion'])}`);
      }
    }
    const r = await this.ops.delete({ kind: this.kind(t), name, ...(t.namespaced ? { namespace: ns } : {}) });
    if (!r.ok) throw toStatusError(t, name, r.error);
    return toJson(r.value);
  }

  /**
   * A v3 watch is the CRD watch with each object converted (and selectors applied to the v3 form).
   * Not emulated: the knp.default.* views that list and get show do not appear on watches.
   */
  watch(t: ResourceType, res: ServerResponse, w: Omit<WatchRequest, 'type'>, onEnd: () => void): void {
    const kind = this.kind(t);
    const crdType = this.c.registry.find('crd.projectcalico.org', 'v1', t.resource);
    if (!crdType) throw notFound(t.group, t.resource, '');
    const convert = (o: Json): Json => toJson(fromStorage({ object: o, kind, version: this.version }));
    const outer = w.transform ?? ((o: Json): Json => o);
    serveWatch(this.c.store, res, { ...w, type: crdType, match: (o) => w.match(convert(o)), transform: (o) => outer(convert(o)) }, onEnd);
  }

  /** Validates with the project's validator (Calico's rules) and shapes the v3 object. */
  private checked(t: ResourceType, ns: string, body: unknown): CalicoObject {
    if (!isObj(body)) throw badRequest('the body of the request was in an unknown format');
    const meta = metaOf(structuredClone(body));
    const name = str(meta['name']);
    const obj: Json = { ...body, apiVersion: `${CALICO_V3_GROUP}/v3`, kind: t.kind, metadata: { ...meta, ...(t.namespaced ? { namespace: ns } : {}) } };
    const issues = projectValidator.validateFile({ path: 'request', content: JSON.stringify(obj), version: this.version });
    if (issues.length) {
      throw invalid({ group: t.group, kind: t.kind, name, errors: issues.map((i) => ({ type: 'Invalid' as const, field: i.path || 'metadata', value: '', detail: i.message })) });
    }
    const m = obj['metadata'] as Json;
    const strMap = (v: unknown): Record<string, string> | undefined => (isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : undefined);
    const labels = strMap(m['labels']);
    const annotations = strMap(m['annotations']);
    return {
      apiVersion: `${CALICO_V3_GROUP}/v3`,
      kind: t.kind,
      metadata: {
        name,
        ...(t.namespaced ? { namespace: ns } : {}),
        ...(labels ? { labels } : {}),
        ...(annotations ? { annotations } : {}),
        ...(str(m['resourceVersion']) ? { resourceVersion: str(m['resourceVersion']) } : {}),
      },
      spec: (isObj(obj['spec']) ? obj['spec'] : {}) as JsonObject,
    };
  }
}
