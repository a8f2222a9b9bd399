// Which types are served, under which group/version: built-ins plus one per established CRD.
import { BUILTIN_TYPES, typeKey, type ResourceType } from './resource-types.js';

export class TypeRegistry {
  private readonly types = new Map<string, ResourceType>();
  /** CRD-backed groups in registration order, after the built-in groups (kubectl prefers earlier groups). */
  private readonly crdTypes = new Map<string, ResourceType>();

  constructor() {
    for (const t of BUILTIN_TYPES) this.types.set(`${t.group}/${t.version}/${t.resource}`, t);
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    const k = `${group}/${version}/${resource}`;
    return this.types.get(k) ?? this.crdTypes.get(k);
  }

  /** The type stored under `group/resource` (any version). */
  byKey(key: string): ResourceType | undefined {
    return this.all().find((t) => typeKey(t.group, t.resource) === key);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.all().find((t) => (t.group === '' ? t.version : `${t.group}/${t.version}`) === apiVersion && t.kind === kind);
  }

  addCrd(t: ResourceType): void {
    this.crdTypes.set(`${t.group}/${t.version}/${t.resource}`, t);
  }

  removeCrd(group: string, resource: string): ResourceType | undefined {
    for (const [k, t] of this.crdTypes) {
      if (t.group === group && t.resource === resource) {
        this.crdTypes.delete(k);
        return t;
      }
    }
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.types.values(), ...this.crdTypes.values()];
  }

  /** Groups in discovery order: core first, then built-in groups, then CRD groups. */
  groups(): { group: string; versions: string[] }[] {
    const out: { group: string; versions: string[] }[] = [];
    for (const t of this.all()) {
      if (t.group === '') continue;
      const g = out.find((x) => x.group === t.group);
      if (!g) out.push({ group: t.group, versions: [t.version] });
      else if (!g.versions.includes(t.version)) g.versions.push(t.version);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }
}
