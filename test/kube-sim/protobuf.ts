// Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`). kubectl's
// typed clients send them (`kubectl create namespace|serviceaccount|configmap|secret|role...`,
// `kubectl auth can-i`), so a server that only reads JSON breaks those commands. Only the types
// kubectl creates that way are described; others answer 415. Field numbers are the ones in
// k8s.io/api/*/generated.proto.
import { ApiError, type Json } from './status.js';

type FieldType = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'strings' | 'map' | 'mapBytes' | Schema | [Schema];
interface Schema {
  readonly [field: number]: readonly [string, FieldType];
}

const TIME: FieldType = 'time';
const LABEL_SELECTOR: Schema = {
  1: ['matchLabels', 'map'],
  2: ['matchExpressions', [{ 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'strings'] }]],
};
const OWNER_REF: Schema = { 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'] };
const OBJECT_META: Schema = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int'],
  8: ['creationTimestamp', TIME],
  9: ['deletionTimestamp', TIME],
  10: ['deletionGracePeriodSeconds', 'int'],
  11: ['labels', 'map'],
  12: ['annotations', 'map'],
  13: ['ownerReferences', [OWNER_REF]],
  14: ['finalizers', 'strings'],
};
const RULE: Schema = { 1: ['verbs', 'strings'], 2: ['apiGroups', 'strings'], 3: ['resources', 'strings'], 4: ['resourceNames', 'strings'], 5: ['nonResourceURLs', 'strings'] };
const SUBJECT: Schema = { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] };
const ROLE_REF: Schema = { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] };
const RESOURCE_ATTRS: Schema = {
  1: ['namespace', 'string'],
  2: ['verb', 'string'],
  3: ['group', 'string'],
  4: ['version', 'string'],
  5: ['resource', 'string'],
  6: ['subresource', 'string'],
  7: ['name', 'string'],
};
const NON_RESOURCE_ATTRS: Schema = { 1: ['path', 'string'], 2: ['verb', 'string'] };
const OBJECT_REF: Schema = { 1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'] };

/** Top-level schemas by `apiVersion/kind`. */
const KINDS: Record<string, Schema> = {
  'v1/Namespace': { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['finalizers', 'strings'] }] },
  'v1/ServiceAccount': { 1: ['metadata', OBJECT_META], 2: ['secrets', [OBJECT_REF]], 3: ['imagePullSecrets', [{ 1: ['name', 'string'] }]], 4: ['automountServiceAccountToken', 'bool'] },
  'v1/ConfigMap': { 1: ['metadata', OBJECT_META], 2: ['data', 'map'], 3: ['binaryData', 'mapBytes'], 4: ['immutable', 'bool'] },
  'v1/Secret': { 1: ['metadata', OBJECT_META], 2: ['data', 'mapBytes'], 3: ['type', 'string'], 4: ['stringData', 'map'], 5: ['immutable', 'bool'] },
  'rbac.authorization.k8s.io/v1/Role': { 1: ['metadata', OBJECT_META], 2: ['rules', [RULE]] },
  'rbac.authorization.k8s.io/v1/ClusterRole': { 1: ['metadata', OBJECT_META], 2: ['rules', [RULE]], 3: ['aggregationRule', { 1: ['clusterRoleSelectors', [LABEL_SELECTOR]] }] },
  'rbac.authorization.k8s.io/v1/RoleBinding': { 1: ['metadata', OBJECT_META], 2: ['subjects', [SUBJECT]], 3: ['roleRef', ROLE_REF] },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { 1: ['metadata', OBJECT_META], 2: ['subjects', [SUBJECT]], 3: ['roleRef', ROLE_REF] },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['resourceAttributes', RESOURCE_ATTRS], 2: ['nonResourceAttributes', NON_RESOURCE_ATTRS] }] },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['namespace', 'string'] }] },
  'authorization.k8s.io/v1/SubjectAccessReview': {
    1: ['metadata', OBJECT_META],
    2: ['spec', { 1: ['resourceAttributes', RESOURCE_ATTRS], 2: ['nonResourceAttributes', NON_RESOURCE_ATTRS], 3: ['user', 'string'], 4: ['groups', 'strings'], 6: ['uid', 'string'] }],
  },
  'authentication.k8s.io/v1/TokenRequest': {
    1: ['metadata', OBJECT_META],
    2: ['spec', { 1: ['audiences', 'strings'], 3: ['boundObjectRef', { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] }], 4: ['expirationSeconds', 'int'] }],
  },
};

interface Field {
  num: number;
  wire: number;
  int: bigint;
  bytes: Buffer;
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw unreadable();
      const b = buf[i++] ?? 0;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint());
    const num = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) out.push({ num, wire, int: varint(), bytes: Buffer.alloc(0) });
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ num, wire, int: 0n, bytes: buf.subarray(i, i + len) });
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw unreadable();
  }
  return out;
}

const unreadable = (): ApiError => new ApiError({ code: 400, reason: 'BadRequest', message: 'unable to decode protobuf request body' });

function decode(buf: Buffer, schema: Schema): Json {
  const out: Json = {};
  for (const f of fields(buf)) {
    const spec = schema[f.num];
    if (!spec) continue;
    const [name, type] = spec;
    if (Array.isArray(type)) {
      const list = (out[name] ??= []) as unknown[];
      list.push(decode(f.bytes, type[0] as Schema));
    } else if (typeof type === 'object') out[name] = decode(f.bytes, type as Schema);
    // Go's omitempty: proto3 writes empty strings and zero numbers that JSON leaves out
    else if (type === 'string') {
      if (f.bytes.length > 0) out[name] = f.bytes.toString('utf8');
    }
    else if (type === 'bytes') out[name] = f.bytes.toString('base64');
    else if (type === 'int') {
      if (f.int !== 0n) out[name] = Number(BigInt.asIntN(64, f.int));
    }
    else if (type === 'bool') out[name] = f.int !== 0n;
    else if (type === 'strings') ((out[name] ??= []) as unknown[]).push(f.bytes.toString('utf8'));
    else if (type === 'time') {
      const t = decode(f.bytes, { 1: ['seconds', 'int'] });
      if (t['seconds'] !== undefined) out[name] = `${new Date(Number(t['seconds']) * 1000).toISOString().slice(0, 19)}Z`;
    } else {
      const entry = decode(f.bytes, { 1: ['k', 'string'], 2: ['v', type === 'map' ? 'string' : 'bytes'] });
      ((out[name] ??= {}) as Json)[String(entry['k'] ?? '')] = entry['v'] ?? '';
    }
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a protobuf envelope into the JSON form of the object. */
export function decodeProtobuf(body: Buffer): Json {
  if (!body.subarray(0, 4).equals(MAGIC)) throw unreadable();
  const unknown = decode(body.subarray(4), { 1: ['typeMeta', { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }], 2: ['raw', 'bytes'] });
  const tm = (unknown['typeMeta'] ?? {}) as Json;
  const apiVersion = String(tm['apiVersion'] ?? '');
  const kind = String(tm['kind'] ?? '');
  const schema = KINDS[`${apiVersion}/${kind}`];
  if (!schema) {
    throw new ApiError({ code: 415, reason: 'UnsupportedMediaType', message: `kube-sim cannot decode protobuf for ${apiVersion}/${kind}; send application/json` });
  }
  return { apiVersion, kind, ...decode(Buffer.from(String(unknown['raw'] ?? ''), 'base64'), schema) };
}
