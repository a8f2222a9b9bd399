// A CustomResourceDefinition object becomes a served ResourceType (the served, storage version).
import { CRUD_VERBS, type ResourceType } from './resource-types.js';
import type { Json } from './status.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function typeFromCrd(crd: Json): ResourceType | undefined {
  const spec = obj(crd['spec']);
  const names = obj(spec['names']);
  const versions = Array.isArray(spec['versions']) ? (spec['versions'] as unknown[]).map(obj) : [];
  const served = versions.find((v) => v['storage'] === true && v['served'] !== false) ?? versions.find((v) => v['served'] !== false);
  const group = str(spec['group']);
  const plural = str(names['plural']);
  const kind = str(names['kind']);
  if (!served || !group || !plural || !kind) return undefined;
  const subs = obj(served['subresources']);
  const subresources = [...('status' in subs ? ['status'] : []), ...('scale' in subs ? ['scale'] : [])];
  const selectable = Array.isArray(served['selectableFields'])
    ? (served['selectableFields'] as unknown[]).map((f) => str(obj(f)['jsonPath']).replace(/^\./, '')).filter(Boolean)
    : [];
  const shortNames = strs(names['shortNames']);
  const categories = strs(names['categories']);
  return {
    group,
    version: str(served['name']),
    resource: plural,
    kind,
    singular: str(names['singular']) || kind.toLowerCase(),
    namespaced: str(spec['scope']) === 'Namespaced',
    verbs: CRUD_VERBS,
    subresources,
    builtin: false,
    ...(shortNames.length ? { shortNames } : {}),
    ...(categories.length ? { categories } : {}),
    ...(selectable.length ? { fieldSelectors: selectable } : {}),
  };
}

/** The status the apiextensions controller gives an accepted CRD. */
export function establishedStatus(crd: Json, now: Date): Json {
  const spec = obj(crd['spec']);
  const at = `${now.toISOString().slice(0, 19)}Z`;
  return {
    acceptedNames: spec['names'],
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: at },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: at },
    ],
    storedVersions: (Array.isArray(spec['versions']) ? (spec['versions'] as unknown[]) : []).map(obj).filter((v) => v['storage'] === true).map((v) => v['name']),
  };
}
