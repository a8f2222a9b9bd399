// Legacy (non-aggregated) discovery documents and /version. kubectl 1.32 asks for aggregated
// discovery first and falls back when the answer's Content-Type is plain application/json.
import type { TypeRegistry } from './registry.js';
import { subresourceVerbs, type ResourceType } from './resource-types.js';
import type { Json } from './status.js';

export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.4' };

export function versionDoc(): Json {
  return {
    major: KUBE_VERSION.major,
    minor: KUBE_VERSION.minor,
    gitVersion: KUBE_VERSION.gitVersion,
    gitCommit: '59526cd4867447956156ae3a602fcbac10e2c6ac',
    gitTreeState: 'clean',
    buildDate: '2025-04-22T16:02:27Z',
    goVersion: 'go1.23.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersionsDoc(hostPort: string): Json {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: hostPort }] };
}

function groupDoc(group: string, versions: string[]): Json {
  const v = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: v, preferredVersion: v[0] };
}

export function apiGroupListDoc(registry: TypeRegistry): Json {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups().map((g) => groupDoc(g.group, g.versions)) };
}

export function apiGroupDoc(registry: TypeRegistry, group: string): Json | undefined {
  const g = registry.groups().find((x) => x.group === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g.group, g.versions) } : undefined;
}

const SUBRESOURCE_KIND: Record<string, { kind: string; group?: string; version?: string }> = {
  token: { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1' },
  eviction: { kind: 'Eviction', group: 'policy', version: 'v1' },
  binding: { kind: 'Binding' },
  scale: { kind: 'Scale', group: 'autoscaling', version: 'v1' },
};

function resourceEntries(t: ResourceType): Json[] {
  const main: Json = {
    name: t.resource,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: [...t.verbs],
    ...(t.shortNames ? { shortNames: [...t.shortNames] } : {}),
    ...(t.categories ? { categories: [...t.categories] } : {}),
    storageVersionHash: Buffer.from(`${t.group}/${t.version}/${t.kind}`).toString('base64').slice(0, 11),
  };
  const subs = t.subresources.map((s) => {
    const k = SUBRESOURCE_KIND[s];
    return {
      name: `${t.resource}/${s}`,
      singularName: '',
      namespaced: t.namespaced,
      ...(k?.group ? { group: k.group, version: k.version } : {}),
      kind: k?.kind ?? t.kind,
      verbs: subresourceVerbs(s),
    };
  });
  return [main, ...subs];
}

export function resourceListDoc(registry: TypeRegistry, group: string, version: string): Json | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: types.flatMap(resourceEntries),
  };
}
