// The controllers a real control plane runs that tests observe: the namespace controller (a
// Terminating namespace empties, then disappears) and the garbage collector (dependents of a deleted
// owner are deleted; foreground deletion waits for them).
import { finalizersOf, isObj, metaOf, nameOf, namespaceOf, str, uidOf } from './meta.js';
import type { ResourceType } from './resource-types.js';
import type { Json } from './status.js';
import type { ObjectStore } from './store.js';

export interface HousekeepingDeps {
  readonly store: ObjectStore;
  typeOf(typeKey: string): ResourceType | undefined;
  /** Deletes as a client would (finalizers respected, background propagation). */
  deleteObject(t: ResourceType, namespace: string, name: string): void;
  /** Writes an object (finalizer removal); removes it when it is being deleted and has none left. */
  finishFinalizer(t: ResourceType, object: Json, finalizer: string): void;
  /** The namespace controller may empty this Terminating namespace now. */
  namespaceDue(namespace: string): boolean;
}

const owners = (o: Json): string[] => {
  const refs = metaOf(o)['ownerReferences'];
  return Array.isArray(refs) ? refs.filter(isObj).map((r) => str(r['uid'])) : [];
};

export function runHousekeeping(d: HousekeepingDeps): void {
  // one cheap pass decides which controllers have work: most runs (and every run while thousands
  // of objects are written) find none and copy nothing
  const uids = new Set<string>();
  let owned = false;
  let foreground = false;
  let terminating = false;
  d.store.scan((typeKey, o) => {
    uids.add(uidOf(o as Json));
    const m = metaOf(o as Json);
    if (Array.isArray(m['ownerReferences'])) owned = true;
    if (m['deletionTimestamp'] && finalizersOf(o as Json).includes('foregroundDeletion')) foreground = true;
    if (typeKey === '/namespaces' && m['deletionTimestamp']) terminating = true;
  });
  if (owned) collectGarbage(d, uids);
  if (foreground) finishForeground(d);
  if (terminating) drainNamespaces(d);
}

/** Every owner gone → the dependent is deleted. */
function collectGarbage(d: HousekeepingDeps, uids: Set<string>): void {
  const orphans: { typeKey: string; ns: string; name: string }[] = [];
  d.store.scan((typeKey, o) => {
    const refs = owners(o as Json);
    if (refs.length === 0 || metaOf(o as Json)['deletionTimestamp']) return;
    if (refs.every((u) => !uids.has(u))) orphans.push({ typeKey, ns: namespaceOf(o as Json), name: nameOf(o as Json) });
  });
  for (const o of orphans) {
    const t = d.typeOf(o.typeKey);
    if (t) d.deleteObject(t, o.ns, o.name);
  }
}

/** Foreground deletion: dependents go first, then the owner. */
function finishForeground(d: HousekeepingDeps): void {
  const waiting: { typeKey: string; object: Json }[] = [];
  d.store.scan((typeKey, o) => {
    if (metaOf(o as Json)['deletionTimestamp'] && finalizersOf(o as Json).includes('foregroundDeletion')) waiting.push({ typeKey, object: structuredClone(o as Json) });
  });
  for (const { typeKey, object } of waiting) {
    const uid = uidOf(object);
    const t = d.typeOf(typeKey);
    if (!t) continue;
    const dependents: { typeKey: string; ns: string; name: string; deleting: boolean }[] = [];
    d.store.scan((k, o) => {
      if (owners(o as Json).includes(uid)) dependents.push({ typeKey: k, ns: namespaceOf(o as Json), name: nameOf(o as Json), deleting: Boolean(metaOf(o as Json)['deletionTimestamp']) });
    });
    for (const dep of dependents) {
      const dt = d.typeOf(dep.typeKey);
      if (dt && !dep.deleting) d.deleteObject(dt, dep.ns, dep.name);
    }
    let left = false;
    d.store.scan((_k, o) => {
      if (owners(o as Json).includes(uid)) left = true;
    });
    if (!left) d.finishFinalizer(t, object, 'foregroundDeletion');
  }
}

/** The namespace controller: a Terminating namespace is emptied, then removed. */
function drainNamespaces(d: HousekeepingDeps): void {
  for (const ns of d.store.list('/namespaces')) {
    if (!metaOf(ns)['deletionTimestamp']) continue;
    const name = nameOf(ns);
    if (!d.namespaceDue(name)) continue;
    for (const { typeKey, object } of d.store.inNamespace(name)) {
      const t = d.typeOf(typeKey);
      if (t && !metaOf(object)['deletionTimestamp']) d.deleteObject(t, name, nameOf(object));
    }
    if (d.store.inNamespace(name).length > 0) continue;
    const spec = isObj(ns['spec']) ? ns['spec'] : {};
    const fins = Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
    if (fins.length > 0) {
      const next = structuredClone(ns);
      (next['spec'] as Json)['finalizers'] = [];
      d.store.put('/namespaces', next);
    }
    if (finalizersOf(ns).length === 0) d.store.remove('/namespaces', '', name);
  }
}
