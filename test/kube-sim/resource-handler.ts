// Dispatches an authorized resource request to the API, watch, log and review handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { review } from './access-review.js';
import type { DeleteOptions, KubeApi } from './api.js';
import type { UserInfo } from './authn.js';
import { readBody, readObject, sendJson, sendText } from './http-util.js';
import { isObj, kubeTime, metaOf, str } from './meta.js';
import type { PodLogs } from './pod-logs.js';
import type { RbacSource } from './rbac.js';
import type { TypeRegistry } from './registry.js';
import type { ResourceType } from './resource-types.js';
import { badRequest, methodNotAllowed, notFoundPath, type Json } from './status.js';
import type { ObjectStore } from './store.js';
import type { TokenAuthority } from './authn.js';
import { CALICO_V3_GROUP, type CalicoApiServer } from './calico-apiserver.js';
import { confirmNoEscalation } from './rbac-escalation.js';
import { toTable, wantsTable } from './table.js';
import { fieldManagerOf } from './managed-fields.js';
import { serveWatch, type WatchHandle } from './watch.js';

export interface ResourceContext {
  /** Serves projectcalico.org/v3 when the simulator runs with calicoApiServer. */
  readonly calico?: CalicoApiServer;
  readonly store: ObjectStore;
  readonly registry: TypeRegistry;
  readonly api: KubeApi;
  readonly tokens: TokenAuthority;
  readonly logs: PodLogs;
  readonly watches: Set<WatchHandle>;
  readonly bookmarkIntervalMs: number;
  readonly now: () => Date;
  readonly rbac: RbacSource;
}

export interface ResourceRequest {
  readonly method: string;
  readonly url: URL;
  readonly group: string;
  readonly version: string;
  readonly namespace: string;
  readonly resource: string;
  readonly name: string;
  readonly subresource: string;
  readonly verb: string;
  readonly user: UserInfo;
}

const ESCALATION_CHECKED = new Set(['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles', 'rbac.authorization.k8s.io/rolebindings', 'rbac.authorization.k8s.io/clusterrolebindings']);

export function resolveType(ctx: ResourceContext, r: ResourceRequest): ResourceType {
  const t = ctx.registry.find(r.group, r.version, r.resource);
  if (!t) throw notFoundPath();
  if (r.subresource && !t.subresources.includes(r.subresource)) throw notFoundPath();
  if (!t.namespaced && r.namespace && !(r.group === '' && r.resource === 'namespaces')) throw notFoundPath();
  return t;
}

const intParam = (u: URL, k: string): number | undefined => {
  const v = u.searchParams.get(k);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid value for ${k}: ${v}`);
  return n;
};

export async function handleResource(ctx: ResourceContext, r: ResourceRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const t = resolveType(ctx, r);
  const q = r.url.searchParams;
  const dryRun = q.getAll('dryRun').includes('All');
  const manager = fieldManagerOf(q, req.headers['user-agent']);
  const table = wantsTable(req.headers.accept);
  const admit = ESCALATION_CHECKED.has(`${t.group}/${t.resource}`)
    ? (object: Json): void => confirmNoEscalation(ctx.rbac, { user: r.user, resource: t.resource, namespace: ns, object })
    : undefined;
  // for namespaces, the URL's namespace segment is the object's name
  const ns = t.namespaced ? r.namespace : '';
  const name = r.group === '' && r.resource === 'namespaces' && !r.name ? r.namespace : r.name;

  if (t.group === CALICO_V3_GROUP && ctx.calico) return calicoV3(ctx, ctx.calico, t, r, req, res, { ns, name, table });

  if (t.virtual) {
    if (r.verb !== 'create') throw methodNotAllowed();
    const body = await readObject(req);
    sendJson(res, 201, review(ctx.rbac, t.kind, isObj(body) ? body : {}, r.user, r.namespace));
    return;
  }

  switch (r.verb) {
    case 'get':
      if (r.subresource === 'log') return podLog(ctx, t, ns, name, r.url, res);
      if (table) {
        const o = ctx.api.get(t, ns, name);
        sendJson(res, 200, toTable(t, [o], { now: ctx.now(), includeObject: q.get('includeObject'), listMeta: { resourceVersion: str(metaOf(o)['resourceVersion']) } }));
      } else sendJson(res, 200, ctx.api.get(t, ns, name));
      return;
    case 'list': {
      const list = ctx.api.list(t, ns, listQuery(r.url));
      if (table) sendJson(res, 200, toTable(t, list['items'] as Json[], { now: ctx.now(), includeObject: q.get('includeObject'), listMeta: list['metadata'] as Json }));
      else sendJson(res, 200, list);
      return;
    }
    case 'watch': {
      const lq = listQuery(r.url);
      const match = ctx.api.matcher(t, {
        ...lq,
        fieldSelector: name ? [lq.fieldSelector, `metadata.name=${name}`].filter(Boolean).join(',') : (lq.fieldSelector ?? null),
      });
      const handle: WatchHandle = { path: r.url.pathname, method: r.method, drop: () => res.destroy() };
      ctx.watches.add(handle);
      serveWatch(ctx.store, res, {
        type: t,
        namespace: ns,
        match,
        resourceVersion: q.get('resourceVersion'),
        allowBookmarks: ['1', 'true'].includes(q.get('allowWatchBookmarks') ?? ''),
        sendInitialEvents: q.get('sendInitialEvents') === 'true',
        timeoutSeconds: intParam(r.url, 'timeoutSeconds'),
        bookmarkIntervalMs: ctx.bookmarkIntervalMs,
        ...(table ? { transform: (o: Json) => toTable(t, [o], { now: ctx.now(), includeObject: q.get('includeObject'), listMeta: { resourceVersion: str(metaOf(o)['resourceVersion']) } }) } : {}),
      }, () => ctx.watches.delete(handle));
      return;
    }
    case 'create': {
      const body = await readObject(req);
      if (r.subresource === 'token') return tokenRequest(ctx, t, ns, name, body, res);
      if (r.subresource === 'eviction') {
        ctx.api.delete(t, ns, name, {});
        sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
        return;
      }
      if (r.subresource === 'binding') {
        const target = isObj(body) && isObj(body['target']) ? str(body['target']['name']) : '';
        ctx.api.update(t, ns, name, { spec: { nodeName: target } }, { subresource: 'binding', fromPatch: true, dryRun });
        sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
        return;
      }
      if (r.name) throw methodNotAllowed();
      sendJson(res, 201, ctx.api.create(t, ns, body, { dryRun, ...(admit ? { admit } : {}), ...(manager ? { manager } : {}) }));
      return;
    }
    case 'update': {
      const body = await readObject(req);
      sendJson(res, 200, ctx.api.update(t, ns, name, body, { subresource: r.subresource, dryRun, ...(admit ? { admit } : {}), ...(manager ? { manager } : {}) }));
      return;
    }
    case 'patch': {
      const raw = await readBody(req);
      sendJson(res, 200, ctx.api.patch(t, ns, name, req.headers['content-type'] ?? '', raw, { subresource: r.subresource, dryRun, ...(admit ? { admit } : {}), ...(manager ? { manager } : {}) }));
      return;
    }
    case 'delete': {
      const out = ctx.api.delete(t, ns, name, deleteOptions(await readObject(req), r.url, dryRun));
      sendJson(res, out.code, out.body);
      return;
    }
    case 'deletecollection': {
      const opts = deleteOptions(await readObject(req), r.url, dryRun);
      sendJson(res, 200, ctx.api.deleteCollection(t, ns, listQuery(r.url), opts));
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

async function calicoV3(
  ctx: ResourceContext,
  calico: CalicoApiServer,
  t: ResourceType,
  r: ResourceRequest,
  req: IncomingMessage,
  res: ServerResponse,
  o: { ns: string; name: string; table: boolean },
): Promise<void> {
  const q = r.url.searchParams;
  const asTable = (items: Json[], meta: Json): Json => toTable(t, items, { now: ctx.now(), includeObject: q.get('includeObject'), listMeta: meta });
  const lq = listQuery(r.url);
  switch (r.verb) {
    case 'get': {
      const obj = await calico.get(t, o.ns, o.name);
      sendJson(res, 200, o.table ? asTable([obj], {}) : obj);
      return;
    }
    case 'list': {
      const list = await calico.list(t, o.ns, ctx.api.matcher(t, lq));
      sendJson(res, 200, o.table ? asTable(list['items'] as Json[], list['metadata'] as Json) : list);
      return;
    }
    case 'watch': {
      const handle: WatchHandle = { path: r.url.pathname, method: r.method, drop: () => res.destroy() };
      ctx.watches.add(handle);
      calico.watch(t, res, {
        namespace: o.ns,
        match: ctx.api.matcher(t, { ...lq, fieldSelector: o.name ? [lq.fieldSelector, `metadata.name=${o.name}`].filter(Boolean).join(',') : (lq.fieldSelector ?? null) }),
        resourceVersion: q.get('resourceVersion'),
        allowBookmarks: ['1', 'true'].includes(q.get('allowWatchBookmarks') ?? ''),
        sendInitialEvents: q.get('sendInitialEvents') === 'true',
        timeoutSeconds: intParam(r.url, 'timeoutSeconds'),
        bookmarkIntervalMs: ctx.bookmarkIntervalMs,
        ...(o.table ? { transform: (x: Json) => asTable([x], {}) } : {}),
      }, () => ctx.watches.delete(handle));
      return;
    }
    case 'create':
      sendJson(res, 201, await calico.create(t, o.ns, await readObject(req)));
      return;
    case 'update':
      sendJson(res, 200, await calico.update(t, o.ns, o.name, await readObject(req)));
      return;
    case 'patch':
      sendJson(res, 200, await calico.patch(t, o.ns, o.name, req.headers['content-type'] ?? '', await readBody(req)));
      return;
    case 'delete':
      sendJson(res, 200, await calico.delete(t, o.ns, o.name, deleteOptions(await readObject(req), r.url, false).preconditions));
      return;
    default:
      throw methodNotAllowed();
  }
}

function listQuery(u: URL): { labelSelector: string | null; fieldSelector: string | null; limit?: number; continueToken: string | null; resourceVersion: string | null } {
  const limit = intParam(u, 'limit');
  return {
    labelSelector: u.searchParams.get('labelSelector'),
    fieldSelector: u.searchParams.get('fieldSelector'),
    ...(limit !== undefined ? { limit } : {}),
    continueToken: u.searchParams.get('continue'),
    resourceVersion: u.searchParams.get('resourceVersion'),
  };
}

function deleteOptions(body: unknown, u: URL, dryRun: boolean): DeleteOptions {
  const b = isObj(body) ? body : {};
  const pre = isObj(b['preconditions']) ? b['preconditions'] : {};
  const policy = str(b['propagationPolicy']) || u.searchParams.get('propagationPolicy') || '';
  const orphan = b['orphanDependents'];
  return {
    ...(policy ? { propagationPolicy: policy } : {}),
    ...(typeof orphan === 'boolean' ? { orphanDependents: orphan } : {}),
    preconditions: { ...(str(pre['uid']) ? { uid: str(pre['uid']) } : {}), ...(str(pre['resourceVersion']) ? { resourceVersion: str(pre['resourceVersion']) } : {}) },
    dryRun: dryRun || (Array.isArray(b['dryRun']) && b['dryRun'].includes('All')),
  };
}

function tokenRequest(ctx: ResourceContext, t: ResourceType, ns: string, name: string, body: unknown, res: ServerResponse): void {
  const sa = ctx.api.get(t, ns, name);
  const token = ctx.tokens.issue(ns, name, str(metaOf(sa)['uid']));
  const spec = isObj(body) && isObj(body['spec']) ? body['spec'] : {};
  const seconds = typeof spec['expirationSeconds'] === 'number' ? spec['expirationSeconds'] : 3600;
  sendJson(res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace: ns, creationTimestamp: null },
    spec: { audiences: spec['audiences'] ?? ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: seconds, boundObjectRef: spec['boundObjectRef'] ?? null },
    status: { token, expirationTimestamp: kubeTime(new Date(ctx.now().getTime() + seconds * 1000)) },
  });
}

function podLog(ctx: ResourceContext, t: ResourceType, ns: string, name: string, u: URL, res: ServerResponse): void {
  const pod = ctx.api.get(t, ns, name);
  const spec = isObj(pod['spec']) ? pod['spec'] : {};
  const names = (k: string): string[] => (Array.isArray(spec[k]) ? spec[k].filter(isObj).map((c) => str(c['name'])) : []);
  const containers = names('containers');
  const inits = names('initContainers');
  let container = u.searchParams.get('container') ?? '';
  if (!container) {
    const annotations = isObj(metaOf(pod)['annotations']) ? (metaOf(pod)['annotations'] as Json) : {};
    const def = str(annotations['kubectl.kubernetes.io/default-container']);
    if (containers.length === 1) container = containers[0] ?? '';
    else if (def) container = def;
    else {
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`);
    }
  }
  if (!containers.includes(container) && !inits.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const status = isObj(pod['status']) ? pod['status'] : {};
  const phase = str(status['phase']);
  if (!ctx.logs.has(ns, name, container) && phase === 'Pending') {
    const statuses = [...(Array.isArray(status['initContainerStatuses']) ? status['initContainerStatuses'] : []), ...(Array.isArray(status['containerStatuses']) ? status['containerStatuses'] : [])].filter(isObj);
    const st = statuses.find((s) => str(s['name']) === container);
    const waiting = st && isObj(st['state']) && isObj(st['state']['waiting']) ? str(st['state']['waiting']['reason']) : '';
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${waiting || 'ContainerCreating'}`);
  }
  const tail = intParam(u, 'tailLines');
  const limitBytes = intParam(u, 'limitBytes');
  const text = ctx.logs.read(ns, name, container, { ...(tail !== undefined ? { tailLines: tail } : {}), ...(limitBytes !== undefined ? { limitBytes } : {}) });
  if (!['1', 'true'].includes(u.searchParams.get('follow') ?? '') || phase === 'Succeeded' || phase === 'Failed') {
    sendText(res, 200, text);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
  res.write(text);
  const stop = ctx.logs.follow(ns, name, container, res);
  const unsubscribe = ctx.store.subscribe((e) => {
    if (e.typeKey !== '/pods' || str(metaOf(e.object)['namespace']) !== ns || str(metaOf(e.object)['name']) !== name) return;
    const p = isObj(e.object['status']) ? str(e.object['status']['phase']) : '';
    if (e.type === 'DELETED' || p === 'Succeeded' || p === 'Failed') {
      unsubscribe();
      stop();
    }
  });
  res.on('close', unsubscribe);
}
