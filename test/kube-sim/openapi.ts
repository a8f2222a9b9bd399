// Just enough OpenAPI v3 for kubectl: its field-validation probe looks for a PATCH operation tagged
// with the object's group/version/kind that lists the `fieldValidation` query parameter. Without it
// `kubectl apply`/`create -f` fail with "failed to download openapi". Schemas are left open, so
// kubectl computes strategic-merge patches from its compiled-in types (as it does for old servers).
import { createHash } from 'node:crypto';
import type { TypeRegistry } from './registry.js';
import type { Json } from './status.js';

const gvPath = (group: string, version: string): string => (group === '' ? `api/${version}` : `apis/${group}/${version}`);

export function openApiV3Root(registry: TypeRegistry): Json {
  const gvs = new Set<string>(['api/v1']);
  for (const g of registry.groups()) for (const v of g.versions) gvs.add(gvPath(g.group, v));
  const paths: Json = {};
  for (const p of gvs) {
    const [group, version] = p.startsWith('api/') ? ['', p.slice(4)] : [p.split('/')[1] ?? '', p.split('/')[2] ?? ''];
    const hash = createHash('sha256').update(JSON.stringify(openApiV3Doc(registry, group, version))).digest('hex').slice(0, 32).toUpperCase();
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}

const QUERY = (name: string): Json => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });

export function openApiV3Doc(registry: TypeRegistry, group: string, version: string): Json | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const paths: Json = {};
  for (const t of types) {
    if (t.virtual) continue;
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}/{name}`;
    const gvk = { group, version, kind: t.kind };
    const media = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
    paths[base] = {
      get: { operationId: `read${t.kind}`, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, responses: { '200': { description: 'OK' } } },
      put: {
        operationId: `replace${t.kind}`,
        'x-kubernetes-action': 'put',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')],
        responses: { '200': { description: 'OK' } },
      },
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation'), { name: 'force', in: 'query', schema: { type: 'boolean' } }],
        requestBody: { content: Object.fromEntries(media.map((m) => [m, { schema: { type: 'object' } }])), required: true },
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths,
    components: { schemas: {} },
  };
}
