// Per-type defaulting and validation the real API server applies on create and update
// (pods, Kubernetes NetworkPolicy, namespaces, secrets, services, RBAC bindings, CRDs).
import { typeFromCrd } from './crd-types.js';
import type { ResourceType } from './resource-types.js';
import { validateName } from './names.js';
import { validateNetworkPolicy } from './netpol-validation.js';
import { invalid, type FieldError, type Json } from './status.js';

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objAt = (o: Json, k: string): Json => {
  const v = o[k];
  if (isObj(v)) return v;
  const n: Json = {};
  o[k] = n;
  return n;
};
const name = (o: Json): string => String(objAt(o, 'metadata')['name'] ?? '');

function fail(t: ResourceType, o: Json, errors: FieldError[]): void {
  if (errors.length) throw invalid({ group: t.group, kind: t.kind, name: name(o), errors });
}

function defaultContainers(list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const c of list) {
    if (!isObj(c)) continue;
    c['terminationMessagePath'] ??= '/dev/termination-log';
    c['terminationMessagePolicy'] ??= 'File';
    if (c['imagePullPolicy'] === undefined) {
      const image = String(c['image'] ?? '');
      const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
      c['imagePullPolicy'] = tag === 'latest' ? 'Always' : 'IfNotPresent';
    }
    c['resources'] ??= {};
    if (Array.isArray(c['ports'])) for (const p of c['ports']) if (isObj(p)) p['protocol'] ??= 'TCP';
  }
}

function validateContainers(list: unknown, field: string, required: boolean): FieldError[] {
  if (!Array.isArray(list) || list.length === 0) return required ? [{ type: 'Required', field }] : [];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  list.forEach((c, i) => {
    const f = `${field}[${i}]`;
    if (!isObj(c)) return;
    const n = c['name'];
    if (typeof n !== 'string' || n === '') errors.push({ type: 'Required', field: `${f}.name` });
    else if (validateName(n, 'label').length) errors.push(...validateName(n, 'label', `${f}.name`));
    else if (seen.has(n)) errors.push({ type: 'Duplicate', field: `${f}.name`, value: n });
    else seen.add(n);
    if (typeof c['image'] !== 'string' || c['image'] === '') errors.push({ type: 'Required', field: `${f}.image` });
  });
  return errors;
}

function pod(t: ResourceType, o: Json): void {
  const spec = objAt(o, 'spec');
  fail(t, o, [...validateContainers(spec['containers'], 'spec.containers', true), ...validateContainers(spec['initContainers'], 'spec.initContainers', false)]);
  spec['restartPolicy'] ??= 'Always';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['securityContext'] ??= {};
  spec['enableServiceLinks'] ??= true;
  spec['preemptionPolicy'] ??= 'PreemptLowerPriority';
  spec['priority'] ??= 0;
  const sa = typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName'] !== '' ? spec['serviceAccountName'] : (spec['serviceAccount'] ?? 'default');
  spec['serviceAccountName'] = sa;
  spec['serviceAccount'] = sa;
  defaultContainers(spec['containers']);
  defaultContainers(spec['initContainers']);
  // the kubelet (runtime) moves the pod on from here
  o['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
}

function networkPolicy(o: Json): void {
  const spec = objAt(o, 'spec');
  spec['podSelector'] ??= {};
  const rules = (k: string): Json[] => (Array.isArray(spec[k]) ? (spec[k] as unknown[]).filter(isObj) : []);
  for (const r of [...rules('ingress'), ...rules('egress')]) {
    if (Array.isArray(r['ports'])) for (const p of r['ports']) if (isObj(p)) p['protocol'] ??= 'TCP';
  }
  if (!Array.isArray(spec['policyTypes']) || spec['policyTypes'].length === 0) {
    spec['policyTypes'] = spec['egress'] !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

const MAX_DATA = 1024 * 1024;

/** ConfigMaps and Secrets hold at most 1 MiB of data (corev1.MaxSecretSize). */
function dataSize(t: ResourceType, o: Json): void {
  let size = 0;
  for (const k of ['data', 'binaryData', 'stringData']) {
    const m = o[k];
    if (!isObj(m)) continue;
    for (const [key, v] of Object.entries(m)) size += key.length + (k === 'binaryData' || (k === 'data' && t.resource === 'secrets') ? Math.floor((String(v).length * 3) / 4) : Buffer.byteLength(String(v)));
  }
  if (size > MAX_DATA) fail(t, o, [{ type: 'TooLong', field: '[]', detail: `must have at most ${MAX_DATA} bytes` }]);
}

function secret(o: Json): void {
  o['type'] ??= 'Opaque';
  const sd = o['stringData'];
  if (isObj(sd)) {
    const data = objAt(o, 'data');
    for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v)).toString('base64');
    delete o['stringData'];
  }
}

let nextIp = 10;
function service(o: Json): void {
  const spec = objAt(o, 'spec');
  spec['type'] ??= 'ClusterIP';
  spec['sessionAffinity'] ??= 'None';
  if (spec['clusterIP'] === undefined && spec['type'] !== 'ExternalName') {
    nextIp += 1;
    spec['clusterIP'] = `10.96.${Math.floor(nextIp / 250)}.${(nextIp % 250) + 1}`;
    spec['clusterIPs'] = [spec['clusterIP']];
  }
  if (Array.isArray(spec['ports'])) {
    for (const p of spec['ports']) {
      if (!isObj(p)) continue;
      p['protocol'] ??= 'TCP';
      p['targetPort'] ??= p['port'];
    }
  }
}

function crd(t: ResourceType, o: Json): void {
  const spec = objAt(o, 'spec');
  const names = objAt(spec, 'names');
  const expected = `${String(names['plural'] ?? '')}.${String(spec['group'] ?? '')}`;
  const errors: FieldError[] = [];
  if (name(o) !== expected) errors.push({ type: 'Invalid', field: 'metadata.name', value: name(o), detail: 'must be spec.names.plural+"."+spec.group' });
  if (!spec['group']) errors.push({ type: 'Required', field: 'spec.group' });
  if (!names['kind']) errors.push({ type: 'Required', field: 'spec.names.kind' });
  if (!names['plural']) errors.push({ type: 'Required', field: 'spec.names.plural' });
  if (spec['scope'] !== 'Namespaced' && spec['scope'] !== 'Cluster') errors.push({ type: 'NotSupported', field: 'spec.scope', value: spec['scope'] ?? '', detail: 'supported values: "Cluster", "Namespaced"' });
  if (!Array.isArray(spec['versions']) || spec['versions'].length === 0) errors.push({ type: 'Required', field: 'spec.versions', detail: 'must have exactly one version marked as storage version' });
  fail(t, o, errors);
  names['singular'] ??= String(names['kind']).toLowerCase();
  names['listKind'] ??= `${String(names['kind'])}List`;
  if (!typeFromCrd(o)) fail(t, o, [{ type: 'Required', field: 'spec.versions', detail: 'must have exactly one version marked as storage version' }]);
}

function binding(t: ResourceType, o: Json, old: Json | undefined): void {
  const ref = o['roleRef'];
  if (!isObj(ref) || !ref['name'] || !ref['kind']) fail(t, o, [{ type: 'Required', field: 'roleRef.name' }]);
  if (old && JSON.stringify(old['roleRef']) !== JSON.stringify(o['roleRef'])) {
    fail(t, o, [{ type: 'Invalid', field: 'roleRef', value: o['roleRef'], detail: 'cannot change roleRef' }]);
  }
  if (Array.isArray(o['subjects'])) {
    const errors: FieldError[] = [];
    o['subjects'].forEach((s, i) => {
      if (!isObj(s)) return;
      if (s['kind'] === 'ServiceAccount' && t.resource === 'clusterrolebindings' && !s['namespace']) errors.push({ type: 'Required', field: `subjects[${i}].namespace` });
      if (!['User', 'Group', 'ServiceAccount'].includes(String(s['kind']))) errors.push({ type: 'NotSupported', field: `subjects[${i}].kind`, value: s['kind'] ?? '', detail: 'supported values: "Group", "ServiceAccount", "User"' });
    });
    fail(t, o, errors);
  }
}

const POD_MUTABLE_SPEC = ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds'];

function podUpdate(t: ResourceType, o: Json, old: Json): void {
  const strip = (p: Json): string => {
    const s = structuredClone(objAt(p, 'spec'));
    for (const k of POD_MUTABLE_SPEC) delete s[k];
    for (const list of ['containers', 'initContainers']) {
      if (Array.isArray(s[list])) for (const c of s[list]) if (isObj(c)) delete c['image'];
    }
    return JSON.stringify(s);
  };
  if (strip(o) !== strip(old)) {
    fail(t, o, [{ type: 'Forbidden', field: 'spec', detail: 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)' }]);
  }
}

/** Defaults and validates `o` (mutated in place: it is the server's own copy). */
export function admitCreate(t: ResourceType, o: Json): void {
  const k = `${t.group}/${t.resource}`;
  if (k === '/configmaps' || k === '/secrets') dataSize(t, o);
  if (k === '/pods') pod(t, o);
  else if (k === 'networking.k8s.io/networkpolicies') {
    networkPolicy(o);
    fail(t, o, validateNetworkPolicy(o));
  } else if (k === '/secrets') secret(o);
  else if (k === '/services') service(o);
  else if (k === 'apiextensions.k8s.io/customresourcedefinitions') crd(t, o);
  else if (k === 'rbac.authorization.k8s.io/rolebindings' || k === 'rbac.authorization.k8s.io/clusterrolebindings') binding(t, o, undefined);
  else if (k === '/namespaces') {
    objAt(o, 'spec')['finalizers'] = ['kubernetes'];
    o['status'] = { phase: 'Active' };
    objAt(objAt(o, 'metadata'), 'labels')['kubernetes.io/metadata.name'] = name(o);
  }
}

export function admitUpdate(t: ResourceType, o: Json, old: Json): void {
  const k = `${t.group}/${t.resource}`;
  if (k === '/configmaps' || k === '/secrets') dataSize(t, o);
  if (k === '/pods') {
    defaultContainers(objAt(o, 'spec')['containers']);
    defaultContainers(objAt(o, 'spec')['initContainers']);
    podUpdate(t, o, old);
  } else if (k === 'networking.k8s.io/networkpolicies') {
    networkPolicy(o);
    fail(t, o, validateNetworkPolicy(o));
  } else if (k === '/secrets') secret(o);
  else if (k === 'apiextensions.k8s.io/customresourcedefinitions') crd(t, o);
  else if (k === 'rbac.authorization.k8s.io/rolebindings' || k === 'rbac.authorization.k8s.io/clusterrolebindings') binding(t, o, old);
  else if (k === '/namespaces') objAt(objAt(o, 'metadata'), 'labels')['kubernetes.io/metadata.name'] = name(o);
}
