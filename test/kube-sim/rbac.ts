// RBAC evaluation as the rbac authorizer does it: bindings whose subjects match the user, the rules
// of the role they reference, each rule matched on verbs, apiGroups, resources (with subresources),
// resourceNames and nonResourceURLs. A resources entry is one string: "a, b" names nothing.
import type { UserInfo } from './authn.js';
import type { Json } from './status.js';

export interface Attributes {
  readonly user: UserInfo;
  readonly verb: string;
  readonly isResource: boolean;
  readonly path: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
}

/** Read access to the RBAC objects (the simulator's store). */
export interface RbacSource {
  list(typeKey: string, namespace?: string): Json[];
  get(typeKey: string, namespace: string, name: string): Json | undefined;
}

const RBAC = 'rbac.authorization.k8s.io';
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as Json[]) : []);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const meta = (o: Json): Json => (o['metadata'] ?? {}) as Json;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function subjectMatches(subject: Json, user: UserInfo, bindingNamespace: string): boolean {
  const kind = str(subject['kind']);
  const name = str(subject['name']);
  if (kind === 'User') return user.name === name;
  if (kind === 'Group') return user.groups.includes(name);
  if (kind === 'ServiceAccount') {
    const ns = str(subject['namespace']) || bindingNamespace;
    return ns !== '' && user.name === `system:serviceaccount:${ns}:${name}`;
  }
  return false;
}

export function ruleAllows(rule: Json, a: Attributes): boolean {
  const verbs = strs(rule['verbs']);
  if (!verbs.includes('*') && !verbs.includes(a.verb)) return false;
  if (!a.isResource) {
    return strs(rule['nonResourceURLs']).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  const groups = strs(rule['apiGroups']);
  if (!groups.includes('*') && !groups.includes(a.group)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = strs(rule['resources']);
  const resOk = resources.some((r) => r === '*' || r === combined || (a.subresource !== '' && r === `*/${a.subresource}`));
  if (!resOk) return false;
  const names = strs(rule['resourceNames']);
  return names.length === 0 || names.includes(a.name);
}

/** Rules of a ClusterRole, with aggregation (rules of every ClusterRole matching its selectors). */
function clusterRoleRules(src: RbacSource, role: Json): Json[] {
  const agg = role['aggregationRule'] as Json | undefined;
  const own = arr(role['rules']);
  if (!agg) return own;
  const selectors = arr(agg['clusterRoleSelectors']);
  const extra: Json[] = [];
  for (const other of src.list(`${RBAC}/clusterroles`)) {
    const labels = (meta(other)['labels'] ?? {}) as Record<string, unknown>;
    const hit = selectors.some((s) => Object.entries((s['matchLabels'] ?? {}) as Record<string, unknown>).every(([k, v]) => labels[k] === v));
    if (hit && str(meta(other)['name']) !== str(meta(role)['name'])) extra.push(...arr(other['rules']));
  }
  return [...own, ...extra];
}

function describeSubject(s: Json, bindingNamespace: string): string {
  const kind = str(s['kind']);
  if (kind === 'ServiceAccount') return `ServiceAccount "${str(s['name'])}/${str(s['namespace']) || bindingNamespace}"`;
  return `${kind} "${str(s['name'])}"`;
}

export function authorize(src: RbacSource, a: Attributes): Decision {
  const errors: string[] = [];
  const visit = (binding: Json, bindingNs: string, kindLabel: string): string | undefined => {
    const subject = arr(binding['subjects']).find((s) => subjectMatches(s, a.user, bindingNs));
    if (!subject) return undefined;
    const ref = (binding['roleRef'] ?? {}) as Json;
    const refKind = str(ref['kind']);
    const refName = str(ref['name']);
    let rules: Json[];
    if (refKind === 'ClusterRole') {
      const role = src.get(`${RBAC}/clusterroles`, '', refName);
      if (!role) {
        errors.push(`clusterrole.rbac.authorization.k8s.io "${refName}" not found`);
        return undefined;
      }
      rules = clusterRoleRules(src, role);
    } else {
      const role = src.get(`${RBAC}/roles`, bindingNs, refName);
      if (!role) {
        errors.push(`role.rbac.authorization.k8s.io "${refName}" not found`);
        return undefined;
      }
      rules = arr(role['rules']);
    }
    if (!rules.some((r) => ruleAllows(r, a))) return undefined;
    const where = bindingNs ? ` in namespace "${bindingNs}"` : '';
    return `RBAC: allowed by ${kindLabel} "${str(meta(binding)['name'])}" of ${refKind} "${refName}" to ${describeSubject(subject, bindingNs)}${where}`;
  };
  for (const crb of src.list(`${RBAC}/clusterrolebindings`)) {
    const why = visit(crb, '', 'ClusterRoleBinding');
    if (why) return { allowed: true, reason: why };
  }
  if (a.isResource && a.namespace) {
    for (const rb of src.list(`${RBAC}/rolebindings`, a.namespace)) {
      const why = visit(rb, a.namespace, 'RoleBinding');
      if (why) return { allowed: true, reason: why };
    }
  }
  return { allowed: false, reason: errors.length ? `RBAC: [${errors.join(', ')}]`.replace(/^RBAC: \[([^,]*)\]$/, 'RBAC: $1') : '' };
}

/** Every rule granted to `user` cluster-wide, plus in `namespace` when given (for escalation checks). */
export function userRules(src: RbacSource, user: UserInfo, namespace: string): Json[] {
  const out: Json[] = [];
  const collect = (binding: Json, bindingNs: string): void => {
    if (!arr(binding['subjects']).some((s) => subjectMatches(s, user, bindingNs))) return;
    const ref = (binding['roleRef'] ?? {}) as Json;
    if (str(ref['kind']) === 'ClusterRole') {
      const role = src.get(`${RBAC}/clusterroles`, '', str(ref['name']));
      if (role) out.push(...clusterRoleRules(src, role));
    } else {
      const role = src.get(`${RBAC}/roles`, bindingNs, str(ref['name']));
      if (role) out.push(...arr(role['rules']));
    }
  };
  for (const crb of src.list(`${RBAC}/clusterrolebindings`)) collect(crb, '');
  if (namespace) for (const rb of src.list(`${RBAC}/rolebindings`, namespace)) collect(rb, namespace);
  return out;
}

/** The rules a role object grants (a ClusterRole's aggregation included). */
export function roleRules(src: RbacSource, role: Json, isClusterRole: boolean): Json[] {
  return isClusterRole ? clusterRoleRules(src, role) : arr(role['rules']);
}

/** The 403 message text of the real server (forbiddenMessage), without the resource prefix. */
export function forbiddenWhy(a: Attributes, reason: string): string {
  let msg: string;
  if (!a.isResource) msg = `User "${a.user.name}" cannot ${a.verb} path "${a.path}"`;
  else {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    msg = a.namespace
      ? `User "${a.user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group}" in the namespace "${a.namespace}"`
      : `User "${a.user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group}" at the cluster scope`;
  }
  return reason ? `${msg}: ${reason}` : msg;
}
