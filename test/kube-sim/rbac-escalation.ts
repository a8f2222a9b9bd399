// RBAC's escalation prevention: a user may only create or change a Role/ClusterRole whose rules they
// hold themselves (or with the `escalate` verb on it), and only bind a role whose rules they hold
// (or with the `bind` verb on it). Rules are compared one verb/group/resource/name at a time, like
// rbac validation's Covers, and the missing ones are listed the way the API server prints them.
import type { UserInfo } from './authn.js';
import { isObj, metaOf, str } from './meta.js';
import { authorize, roleRules, userRules, type RbacSource } from './rbac.js';
import { forbidden, type Json } from './status.js';

const RBAC = 'rbac.authorization.k8s.io';
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

interface Simple {
  verb: string;
  group: string;
  resource: string;
  name: string;
  url: string;
}

/** One rule per group, resource, verb and name, in rbac's BreakdownRule order. */
function breakdown(rule: Json): Simple[] {
  const out: Simple[] = [];
  const verbs = strs(rule['verbs']);
  const names = strs(rule['resourceNames']);
  for (const group of strs(rule['apiGroups'])) {
    for (const resource of strs(rule['resources'])) {
      for (const verb of verbs) for (const name of names.length ? names : ['']) out.push({ verb, group, resource, name, url: '' });
    }
  }
  for (const url of strs(rule['nonResourceURLs'])) for (const verb of verbs) out.push({ verb, group: '', resource: '', name: '', url });
  return out;
}

function covers(owner: Json, s: Simple): boolean {
  const has = (list: string[], v: string): boolean => list.includes('*') || list.includes(v);
  if (!has(strs(owner['verbs']), s.verb)) return false;
  if (s.url) return strs(owner['nonResourceURLs']).some((u) => u === '*' || u === s.url || (u.endsWith('*') && s.url.startsWith(u.slice(0, -1))));
  if (!has(strs(owner['apiGroups']), s.group)) return false;
  const resources = strs(owner['resources']);
  const sub = s.resource.includes('/') ? s.resource.slice(s.resource.indexOf('/')) : '';
  if (!has(resources, s.resource) && !(sub && resources.includes(`*${sub}`))) return false;
  const names = strs(owner['resourceNames']);
  return names.length === 0 || (s.name !== '' && names.includes(s.name));
}

const q = (xs: string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

function compact(missing: Simple[]): string {
  const groups = new Map<string, { s: Simple; verbs: string[] }>();
  for (const m of missing) {
    const key = JSON.stringify([m.group, m.resource, m.name, m.url]);
    const g = groups.get(key);
    if (g) g.verbs.push(m.verb);
    else groups.set(key, { s: m, verbs: [m.verb] });
  }
  return [...groups.values()]
    .map(({ s, verbs }) =>
      s.url
        ? `{NonResourceURLs:${q([s.url])}, Verbs:${q(verbs)}}`
        : `{APIGroups:${q([s.group])}, Resources:${q([s.resource])}${s.name ? `, ResourceNames:${q([s.name])}` : ''}, Verbs:${q(verbs)}}`,
    )
    // the API server lists them as a sorted set
    .sort()
    .join('\n');
}

/** Throws the real 403 when `user` would grant rules they do not hold. */
export function confirmNoEscalation(src: RbacSource, o: { user: UserInfo; resource: string; namespace: string; object: Json }): void {
  const { user, resource, namespace, object } = o;
  const name = str(metaOf(object)['name']);
  const isBinding = resource === 'rolebindings' || resource === 'clusterrolebindings';
  let granted: Json[];
  if (isBinding) {
    const ref = isObj(object['roleRef']) ? object['roleRef'] : {};
    const refKind = str(ref['kind']);
    const refName = str(ref['name']);
    const refResource = refKind === 'ClusterRole' ? 'clusterroles' : 'roles';
    const bind = authorize(src, { user, verb: 'bind', isResource: true, path: '', group: RBAC, resource: refResource, subresource: '', namespace: refKind === 'ClusterRole' ? '' : namespace, name: refName });
    if (bind.allowed) return;
    const role = src.get(`${RBAC}/${refResource}`, refKind === 'ClusterRole' ? '' : namespace, refName);
    granted = role ? roleRules(src, role, refKind === 'ClusterRole') : [];
  } else {
    const escalate = authorize(src, { user, verb: 'escalate', isResource: true, path: '', group: RBAC, resource, subresource: '', namespace, name });
    if (escalate.allowed) return;
    granted = Array.isArray(object['rules']) ? object['rules'].filter(isObj) : [];
  }
  const owned = userRules(src, user, namespace);
  const missing = granted.flatMap(breakdown).filter((s) => !owned.some((r) => covers(r, s)));
  if (missing.length === 0) return;
  throw forbidden({
    group: RBAC,
    resource,
    name,
    why: `user "${user.name}" (groups=${q([...user.groups])}) is attempting to grant RBAC permissions not currently held:\n${compact(missing)}`,
  });
}
