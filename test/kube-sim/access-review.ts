// authorization.k8s.io/v1 reviews: SelfSubjectAccessReview (what `kubectl auth can-i` sends),
// SubjectAccessReview / LocalSubjectAccessReview, and SelfSubjectRulesReview (`can-i --list`).
import type { UserInfo } from './authn.js';
import { isObj, str } from './meta.js';
import { authorize, userRules, type Attributes, type RbacSource } from './rbac.js';
import { badRequest, type Json } from './status.js';

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function attributesOf(spec: Json, user: UserInfo, namespace?: string): Attributes {
  const ra = spec['resourceAttributes'];
  const nra = spec['nonResourceAttributes'];
  if (isObj(ra)) {
    return {
      user,
      verb: str(ra['verb']),
      isResource: true,
      path: '',
      group: str(ra['group']),
      resource: str(ra['resource']),
      subresource: str(ra['subresource']),
      namespace: namespace ?? str(ra['namespace']),
      name: str(ra['name']),
    };
  }
  if (isObj(nra)) return { user, verb: str(nra['verb']), isResource: false, path: str(nra['path']), group: '', resource: '', subresource: '', namespace: '', name: '' };
  throw badRequest('exactly one of nonResourceAttributes or resourceAttributes must be specified');
}

/** Answers a review `kind` created by `requester` (already authorized to create it). */
export function review(src: RbacSource, kind: string, body: Json, requester: UserInfo, namespace: string): Json {
  const spec = isObj(body['spec']) ? body['spec'] : {};
  if (kind === 'SelfSubjectRulesReview') return rulesReview(src, body, requester, str(spec['namespace']));
  const subject: UserInfo =
    kind === 'SelfSubjectAccessReview'
      ? requester
      : { name: str(spec['user']), groups: strs(spec['groups']), ...(str(spec['uid']) ? { uid: str(spec['uid']) } : {}) };
  const decision = authorize(src, attributesOf(spec, subject, kind === 'LocalSubjectAccessReview' ? namespace : undefined));
  return {
    ...body,
    apiVersion: 'authorization.k8s.io/v1',
    kind,
    metadata: { ...(isObj(body['metadata']) ? body['metadata'] : {}), creationTimestamp: null },
    status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
  };
}

function rulesReview(src: RbacSource, body: Json, user: UserInfo, namespace: string): Json {
  const resourceRules: Json[] = [];
  const nonResourceRules: Json[] = [];
  for (const r of userRules(src, user, namespace)) {
    if (Array.isArray(r['nonResourceURLs'])) nonResourceRules.push({ verbs: r['verbs'], nonResourceURLs: r['nonResourceURLs'] });
    else resourceRules.push({ verbs: r['verbs'], apiGroups: r['apiGroups'], resources: r['resources'], ...(r['resourceNames'] ? { resourceNames: r['resourceNames'] } : {}) });
  }
  return {
    ...body,
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectRulesReview',
    metadata: { creationTimestamp: null },
    status: { resourceRules, nonResourceRules, incomplete: false },
  };
}
