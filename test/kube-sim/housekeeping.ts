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
}

const owners = (o: Json): string[] => {
  const refs = metaOf(o)['ownerReferences'];
  return Array.isArray(refs) ? refs.filter(isObj).map((r) => str(r['uid'])) : [];
};

export function runHousekeeping(d: HousekeepingDeps): void {
  const all = d.store.all();
  const uids = new Set(all.map((e) => uidOf(e.object)));
  // garbage collector: every owner gone → dependent deleted
  for (const { typeKey, object } of all) {
    const refs = owners(object);
    if (refs.length === 0 || metaOf(object)['deletionTimestamp']) continue;
    if (refs.every((u) => !uids.has(u))) {
      const t = d.typeOf(typeKey);
      if (t) d.deleteObject(t, namespaceOf(object), nameOf(object));
    }
  }
  // foreground deletion: the owner goes once no dependent is left
  for (const { typeKey, object } of d.store.all()) {
    if (!metaOf(object)['deletionTimestamp'] || !finalizersOf(object).includes('foregroundDeletion')) continue;
    const uid = uidOf(object);
    const dependents = d.store.all().filter((e) => owners(e.object).includes(uid));
    const t = d.typeOf(typeKey);
    if (!t) continue;
    for (const dep of dependents) {
      const dt = d.typeOf(dep.typeKey);
      if (dt && !metaOf(dep.object)['deletionTimestamp']) d.deleteObject(dt, namespaceOf(dep.object), nameOf(dep.object));
    }
    if (d.store.all().every((e) => !owners(e.object).includes(uid))) d.finishFinalizer(t, object, 'foregroundDeletion');
  }
  // namespace controller
  for (const ns of d.store.list('/namespaces')) {
    if (!metaOf(ns)['deletionTimestamp']) continue;
    const name = nameOf(ns);
    for (const { typeKey, object } of d.store.inNamespace(name)) {
      const t = d.typeOf(typeKey);
      if (t && !metaOf(object)['deletionTimestamp']) d.deleteObject(t, name, nameOf(object));
    }
    if (d.store.inNamespace(name).length === 0) {
      const t = d.typeOf('/namespaces');
      const spec = isObj(ns['spec']) ? ns['spec'] : {};
      const fins = Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
      if (t && fins.length > 0) {
        const next = structuredClone(ns);
        (next['spec'] as Json)['finalizers'] = [];
        d.store.put('/namespaces', next);
      }
      if (finalizersOf(ns).length === 0) d.store.remove('/namespaces', '', name);
    }
  }
}
