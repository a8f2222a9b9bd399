// The resource handlers: create/get/list/update/patch/delete with the real server's semantics
// (resourceVersion preconditions, status subresource, finalizers, propagation, namespaces).
import { randomUUID } from 'node:crypto';
import yaml from 'js-yaml';
import { admitCreate, admitUpdate } from './admission.js';
import type { TokenAuthority } from './authn.js';
import { establishedStatus, typeFromCrd } from './crd-types.js';
import { runHousekeeping } from './housekeeping.js';
import { finalizersOf, isObj, kubeTime, labelsOf, metaOf, nameOf, str, uidOf } from './meta.js';
import { nameRuleFor, validateMetadata, validateName } from './names.js';
import { recordManagedFields } from './managed-fields.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import type { TypeRegistry } from './registry.js';
import { apiVersionOf, typeKey, type ResourceType } from './resource-types.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { decodeContinue, encodeContinue, itemKey, randomSuffix } from './paging.js';
import { alreadyExists, ApiError, badRequest, conflict, expired, forbidden, invalid, notFound, unsupportedMediaType, type Json } from './status.js';
import type { ObjectStore } from './store.js';

export interface ApiDeps {
  readonly store: ObjectStore;
  readonly registry: TypeRegistry;
  readonly tokens: TokenAuthority;
  readonly now: () => Date;
  /** How long a Terminating namespace keeps its contents before the namespace controller acts. */
  readonly namespaceDeletionDelayMs?: number;
  /** Called after an object is gone for good (the server drops a deleted pod's logs). */
  readonly onDeleted?: (t: ResourceType, gone: Json) => void;
}

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continueToken?: string | null;
  resourceVersion?: string | null;
}

export interface WriteOptions {
  subresource?: string;
  dryRun?: boolean;
  /** Request-scoped admission (RBAC escalation checks need the caller); throws to refuse. */
  admit?: (object: Json) => void;
  /** Field manager of the request (query or user agent); absent for the server's own writes. */
  manager?: string;
  /** `Apply` for server-side apply, else `Update`. */
  operation?: 'Update' | 'Apply';
}

export interface DeleteOptions {
  propagationPolicy?: string;
  /** Deprecated field some clients still send; `false` means foreground and a 202 answer. */
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const SYSTEM_META = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'];

export class KubeApi {
  private housekeepingScheduled = false;
  /** When each namespace started Terminating (ms), for the namespace controller's delay. */
  private readonly terminatingSince = new Map<string, number>();
  constructor(private readonly d: ApiDeps) {}

  key(t: ResourceType): string {
    return typeKey(t.group, t.resource);
  }

  get(t: ResourceType, ns: string, name: string): Json {
    const o = this.d.store.get(this.key(t), t.namespaced ? ns : '', name);
    if (!o) throw notFound(t.group, t.resource, name);
    return o;
  }

  /** Items matching the selectors; used by list, watch and deletecollection. */
  matcher(t: ResourceType, q: ListQuery): (o: Json) => boolean {
    const labels = parseLabelSelector(q.labelSelector ?? null);
    const fields = parseFieldSelector(q.fieldSelector ?? null, ['metadata.name', 'metadata.namespace', ...(t.fieldSelectors ?? [])]);
    return (o) => matchesLabels(labels, labelsOf(o)) && matchesFields(fields, o);
  }

  list(t: ResourceType, ns: string, q: ListQuery): Json {
    const match = this.matcher(t, q);
    const rv = String(this.d.store.resourceVersion);
    let after: string | undefined;
    if (q.continueToken) {
      const tok = decodeContinue(q.continueToken);
      if (tok.rv < this.d.store.compactedRevision) {
        throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      after = tok.start;
    }
    // resourceVersion=0 is served from the watch cache, which ignores limit
    const limit = q.resourceVersion === '0' ? 0 : (q.limit ?? 0);
    const { items, remaining } = this.d.store.page(this.key(t), { ...(t.namespaced && ns ? { namespace: ns } : {}), ...(after === undefined ? {} : { after }), limit, keep: (o) => match(o as Json) });
    let cont: string | undefined;
    if (remaining > 0) {
      const last = items[items.length - 1];
      cont = encodeContinue(Number(rv), last ? itemKey(last) : '');
    }
    return {
      apiVersion: apiVersionOf(t),
      kind: `${t.kind}List`,
      metadata: { resourceVersion: rv, ...(cont ? { continue: cont, remainingItemCount: remaining } : {}) },
      items,
    };
  }

  create(t: ResourceType, ns: string, body: unknown, o: WriteOptions = {}): Json {
    const obj = this.checkBody(t, body);
    const m = metaOf(obj);
    if (t.namespaced) {
      const bodyNs = str(m['namespace']);
      if (bodyNs && bodyNs !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      m['namespace'] = ns;
    } else delete m['namespace'];
    if (!str(m['name']) && str(m['generateName'])) m['name'] = `${str(m['generateName'])}${randomSuffix()}`;
    const name = str(m['name']);
    if (!name) throw invalid({ group: t.group, kind: t.kind, name: '', errors: [{ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' }] });
    const nameErrors = [...validateName(name, nameRuleFor(t.group, t.resource)), ...validateMetadata(obj)];
    if (nameErrors.length) throw invalid({ group: t.group, kind: t.kind, name, errors: nameErrors });
    if (t.namespaced) this.requireLiveNamespace(t, ns, name);
    if (this.d.store.get(this.key(t), t.namespaced ? ns : '', name)) throw alreadyExists(t.group, t.resource, name);
    for (const k of [...SYSTEM_META, 'resourceVersion', 'managedFields']) delete m[k];
    m['uid'] = randomUUID();
    m['creationTimestamp'] = kubeTime(this.d.now());
    if (!t.builtin || 'spec' in obj) m['generation'] = 1;
    if (t.subresources.includes('status') && t.resource !== 'customresourcedefinitions') delete obj['status'];
    admitCreate(t, obj);
    if (t.group === '' && t.resource === 'pods') this.requireServiceAccount(obj, ns, name);
    if (t.resource === 'customresourcedefinitions') obj['status'] = establishedStatus(obj, this.d.now());
    o.admit?.(obj);
    if (o.manager) recordManagedFields(undefined, obj, { manager: o.manager, operation: o.operation ?? 'Update', apiVersion: apiVersionOf(t), time: this.d.now() });
    if (o.dryRun) return obj;
    const stored = this.d.store.put(this.key(t), obj);
    this.afterWrite(t, stored);
    return stored;
  }

  update(t: ResourceType, ns: string, name: string, body: unknown, o: WriteOptions & { fromPatch?: boolean } = {}): Json {
    const old = this.get(t, ns, name);
    const input = this.checkBody(t, body);
    const im = metaOf(input);
    if (str(im['name']) && str(im['name']) !== name) throw badRequest(`the name of the object (${str(im['name'])}) does not match the name on the URL (${name})`);
    if (t.namespaced && str(im['namespace']) && str(im['namespace']) !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const uid = str(im['uid']);
    if (uid && uid !== uidOf(old)) throw invalid({ group: t.group, kind: t.kind, name, errors: [{ type: 'Invalid', field: 'metadata.uid', value: uid, detail: 'field is immutable' }] });
    const oldRv = str(metaOf(old)['resourceVersion']);
    const rv = str(im['resourceVersion']);
    if (rv && rv !== oldRv) throw conflict(t.group, t.resource, name);
    if (!rv && !t.builtin && !o.fromPatch) {
      throw invalid({ group: t.group, kind: t.kind, name, errors: [{ type: 'Invalid', field: 'metadata.resourceVersion', value: 0, detail: 'must be specified for an update' }] });
    }
    let next: Json;
    if (o.subresource === 'status') {
      next = structuredClone(old);
      if (input['status'] !== undefined) next['status'] = input['status'];
      else delete next['status'];
    } else if (o.subresource === 'binding') {
      // pods/binding: the scheduler's one way to set spec.nodeName, once.
      next = structuredClone(old);
      const spec = isObj(next['spec']) ? next['spec'] : {};
      const current = str(spec['nodeName']);
      if (current) throw conflict(t.group, t.resource, name, `pod ${name} is already assigned to node "${current}"`);
      spec['nodeName'] = str((isObj(input['spec']) ? input['spec'] : {})['nodeName']);
      next['spec'] = spec;
    } else if (o.subresource === 'finalize') {
      next = structuredClone(old);
      const spec = isObj(input['spec']) ? input['spec'] : {};
      (next['spec'] as Json)['finalizers'] = spec['finalizers'] ?? [];
    } else {
      next = input;
      const nm = metaOf(next);
      for (const k of SYSTEM_META) {
        if (metaOf(old)[k] === undefined) delete nm[k];
        else nm[k] = metaOf(old)[k];
      }
      // What a client sends is ignored: the server keeps the record (recomputed below on a change).
      if (metaOf(old)['managedFields'] === undefined) delete nm['managedFields'];
      else nm['managedFields'] = metaOf(old)['managedFields'];
      nm['name'] = name;
      if (t.namespaced) nm['namespace'] = ns;
      else delete nm['namespace'];
      if (t.subresources.includes('status') || t.resource === 'namespaces') {
        if (old['status'] === undefined) delete next['status'];
        else next['status'] = old['status'];
      }
      if (t.resource === 'namespaces' && t.group === '') {
        // spec.finalizers only changes through the finalize subresource
        const spec = isObj(next['spec']) ? next['spec'] : {};
        spec['finalizers'] = (isObj(old['spec']) ? old['spec'] : {})['finalizers'];
        next['spec'] = spec;
      }
      const errors = validateMetadata(next);
      if (errors.length) throw invalid({ group: t.group, kind: t.kind, name, errors });
      admitUpdate(t, next, old);
      o.admit?.(next);
      const body = (x: Json): string => JSON.stringify({ ...x, metadata: undefined, status: undefined });
      if (typeof metaOf(old)['generation'] === 'number' && body(next) !== body(old)) nm['generation'] = (metaOf(old)['generation'] as number) + 1;
    }
    metaOf(next)['resourceVersion'] = oldRv;
    if (metaOf(old)['deletionTimestamp']) {
      const added = finalizersOf(next).filter((f) => !finalizersOf(old).includes(f));
      if (added.length) throw invalid({ group: t.group, kind: t.kind, name, errors: [{ type: 'Forbidden', field: 'metadata.finalizers', detail: 'no new finalizers can be added if the object is being deleted' }] });
    }
    if (JSON.stringify(next) === JSON.stringify(old) || o.dryRun) return next;
    if (o.manager) {
      recordManagedFields(old, next, { manager: o.manager, operation: o.operation ?? 'Update', apiVersion: apiVersionOf(t), time: this.d.now(), ...(o.subresource ? { subresource: o.subresource } : {}) });
    }
    if (metaOf(next)['deletionTimestamp'] && finalizersOf(next).length === 0 && !(t.resource === 'namespaces' && t.group === '')) {
      const gone = this.d.store.remove(this.key(t), t.namespaced ? ns : '', name) ?? next;
      this.afterDelete(t, gone);
      return gone;
    }
    const stored = this.d.store.put(this.key(t), next);
    this.afterWrite(t, stored);
    return stored;
  }

  patch(t: ResourceType, ns: string, name: string, contentType: string, raw: string, o: WriteOptions = {}): Json {
    const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === 'application/apply-patch+yaml') return this.applyPatch(t, ns, name, raw, o);
    let patch: unknown;
    try {
      patch = JSON.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const old = this.get(t, ns, name);
    let next: unknown;
    if (type === 'application/merge-patch+json') next = mergePatch(old, patch);
    else if (type === 'application/json-patch+json') next = jsonPatch(old, patch);
    else if (type === 'application/strategic-merge-patch+json') {
      if (!t.builtin) throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
      next = strategicMergePatch(old, patch);
    } else {
      throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', ...(t.builtin ? ['application/strategic-merge-patch+json'] : [])]);
    }
    return this.update(t, ns, name, next, { ...o, fromPatch: true });
  }

  /** Server-side apply, simplified: create when missing, else a merge of the applied configuration. */
  private applyPatch(t: ResourceType, ns: string, name: string, raw: string, o: WriteOptions): Json {
    let applied: unknown;
    try {
      applied = yaml.load(raw);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (!isObj(applied)) throw badRequest('the applied configuration must be an object');
    const existing = this.d.store.get(this.key(t), t.namespaced ? ns : '', name);
    const applyOptions: WriteOptions = { ...o, operation: 'Apply' };
    if (!existing) return this.create(t, ns, { ...applied, metadata: { ...(isObj(applied['metadata']) ? applied['metadata'] : {}), name } }, applyOptions);
    const patch = structuredClone(applied);
    delete metaOf(patch)['resourceVersion'];
    delete metaOf(patch)['managedFields'];
    return this.update(t, ns, name, mergePatch(existing, patch), { ...applyOptions, fromPatch: true });
  }

  /**
   * Returns the HTTP status and the body. Like the real handler it is 200 also when deletion is
   * pending (finalizers, namespaces); 202 only for the deprecated orphanDependents=false.
   */
  delete(t: ResourceType, ns: string, name: string, opts: DeleteOptions = {}): { code: number; body: Json } {
    const old = this.get(t, ns, name);
    const m = metaOf(old);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== uidOf(old)) throw conflict(t.group, t.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uidOf(old)}`);
    if (pre.resourceVersion && pre.resourceVersion !== str(m['resourceVersion'])) {
      throw conflict(t.group, t.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${str(m['resourceVersion'])}`);
    }
    const isNamespace = t.group === '' && t.resource === 'namespaces';
    if (isNamespace && PROTECTED_NAMESPACES.has(name)) throw forbidden({ group: '', resource: 'namespaces', name, why: 'this namespace may not be deleted' });
    if (opts.dryRun) return { code: 200, body: old };
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Foreground' : 'Background');
    if (policy === 'Orphan') this.orphanDependents(uidOf(old));
    const fins = finalizersOf(old);
    if (policy === 'Foreground' && this.hasDependents(uidOf(old)) && !fins.includes('foregroundDeletion')) fins.push('foregroundDeletion');
    if (isNamespace || fins.length > 0) {
      if (m['deletionTimestamp'] && isNamespace) {
        throw conflict('', 'namespaces', name, 'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.');
      }
      if (m['deletionTimestamp']) return { code: opts.orphanDependents === false ? 202 : 200, body: old };
      const next = structuredClone(old);
      const nm = metaOf(next);
      nm['deletionTimestamp'] = kubeTime(this.d.now());
      nm['deletionGracePeriodSeconds'] = 0;
      if (fins.length) nm['finalizers'] = fins;
      if (isNamespace) {
        next['status'] = { ...(isObj(old['status']) ? old['status'] : {}), phase: 'Terminating' };
        // a real namespace controller takes a moment: clients deleting the contents themselves
        // (kubectl delete -k) still find them
        const delay = this.d.namespaceDeletionDelayMs ?? 1000;
        this.terminatingSince.set(name, this.d.now().getTime());
        setTimeout(() => this.scheduleHousekeeping(), delay + 10).unref();
      }
      const stored = this.d.store.put(this.key(t), next);
      this.scheduleHousekeeping();
      return { code: opts.orphanDependents === false ? 202 : 200, body: stored };
    }
    const gone = this.d.store.remove(this.key(t), t.namespaced ? ns : '', name) ?? old;
    this.afterDelete(t, gone);
    return { code: 200, body: gone };
  }

  deleteCollection(t: ResourceType, ns: string, q: ListQuery, opts: DeleteOptions): Json {
    const list = this.list(t, ns, { ...q, limit: 0, continueToken: null });
    const items = (list['items'] as Json[]).map((o) => this.delete(t, str(metaOf(o)['namespace']), nameOf(o), opts).body);
    return { ...list, items };
  }

  /** A finalizer's owner is done: remove it; the object goes when none is left. */
  finishFinalizer(t: ResourceType, object: Json, finalizer: string): void {
    const next = structuredClone(object);
    metaOf(next)['finalizers'] = finalizersOf(next).filter((f) => f !== finalizer);
    this.update(t, str(metaOf(next)['namespace']), nameOf(next), next, { fromPatch: true });
  }

  private checkBody(t: ResourceType, body: unknown): Json {
    if (!isObj(body)) throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
    const obj = structuredClone(body);
    const av = str(obj['apiVersion']);
    if (av && av !== apiVersionOf(t)) throw badRequest(`the API version in the data (${av}) does not match the expected API version (${apiVersionOf(t)})`);
    const kind = str(obj['kind']);
    if (kind && kind !== t.kind) throw badRequest(`the kind in the data (${kind}) does not match the expected kind (${t.kind})`);
    obj['apiVersion'] = apiVersionOf(t);
    obj['kind'] = t.kind;
    metaOf(obj);
    return obj;
  }

  private requireLiveNamespace(t: ResourceType, ns: string, name: string): void {
    const nsObj = this.d.store.get('/namespaces', '', ns);
    if (!nsObj) throw notFound('', 'namespaces', ns);
    if (metaOf(nsObj)['deletionTimestamp']) {
      throw forbidden({ group: t.group, resource: t.resource, name, why: `unable to create new content in namespace ${ns} because it is being terminated` });
    }
  }

  private requireServiceAccount(pod: Json, ns: string, name: string): void {
    const sa = str((pod['spec'] as Json)['serviceAccountName']);
    if (!this.d.store.get('/serviceaccounts', ns, sa)) {
      throw forbidden({ group: '', resource: 'pods', name, why: `error looking up service account ${ns}/${sa}: serviceaccount "${sa}" not found` });
    }
  }

  private afterWrite(t: ResourceType, stored: Json): void {
    const k = this.key(t);
    if (k === '/namespaces' && !metaOf(stored)['deletionTimestamp']) {
      const ns = nameOf(stored);
      if (!this.d.store.get('/serviceaccounts', ns, 'default')) this.create(this.saType(), ns, { metadata: { name: 'default' } });
    }
    if (k === '/serviceaccounts') this.d.tokens.issue(str(metaOf(stored)['namespace']), nameOf(stored), uidOf(stored));
    if (k === 'apiextensions.k8s.io/customresourcedefinitions') {
      const ct = typeFromCrd(stored);
      if (ct) this.d.registry.addCrd(ct);
    }
    if (metaOf(stored)['deletionTimestamp'] || metaOf(stored)['ownerReferences']) this.scheduleHousekeeping();
  }

  private afterDelete(t: ResourceType, gone: Json): void {
    const k = this.key(t);
    this.d.onDeleted?.(t, gone);
    if (k === '/serviceaccounts') this.d.tokens.revoke(uidOf(gone));
    if (k === 'apiextensions.k8s.io/customresourcedefinitions') {
      const ct = typeFromCrd(gone);
      if (ct) {
        const key = typeKey(ct.group, ct.resource);
        for (const o of this.d.store.list(key)) this.d.store.remove(key, str(metaOf(o)['namespace']), nameOf(o));
        this.d.registry.removeCrd(ct.group, ct.resource);
        this.d.store.dropType(key);
      }
    }
    this.scheduleHousekeeping();
  }

  private saType(): ResourceType {
    const t = this.d.registry.find('', 'v1', 'serviceaccounts');
    if (!t) throw new Error('serviceaccounts type missing');
    return t;
  }

  private hasDependents(uid: string): boolean {
    let found = false;
    this.d.store.scan((_k, o) => {
      if (ownerUids(o as Json).includes(uid)) found = true;
    });
    return found;
  }

  private orphanDependents(uid: string): void {
    const dependents: { typeKey: string; object: Json }[] = [];
    this.d.store.scan((typeKey, o) => {
      if (ownerUids(o as Json).includes(uid)) dependents.push({ typeKey, object: o as Json });
    });
    for (const { typeKey: k, object } of dependents) {
      const next = structuredClone(object);
      const refs = (metaOf(next)['ownerReferences'] as Json[]).filter((r) => str(r['uid']) !== uid);
      if (refs.length) metaOf(next)['ownerReferences'] = refs;
      else delete metaOf(next)['ownerReferences'];
      this.d.store.put(k, next);
    }
  }

  scheduleHousekeeping(): void {
    if (this.housekeepingScheduled) return;
    this.housekeepingScheduled = true;
    setImmediate(() => {
      this.housekeepingScheduled = false;
      runHousekeeping({
        store: this.d.store,
        typeOf: (k) => this.d.registry.byKey(k),
        deleteObject: (t, ns, name) => {
          try {
            this.delete(t, ns, name);
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
          }
        },
        finishFinalizer: (t, o, f) => this.finishFinalizer(t, o, f),
        namespaceDue: (ns) => this.d.now().getTime() - (this.terminatingSince.get(ns) ?? 0) >= (this.d.namespaceDeletionDelayMs ?? 1000),
      });
    });
  }
}

function ownerUids(o: Json): string[] {
  const refs = metaOf(o)['ownerReferences'];
  return Array.isArray(refs) ? refs.filter(isObj).map((r) => str(r['uid'])) : [];
}
