// A tiny in-memory stand-in for the API server's CRD endpoints, for unit tests of the calicoctl
// emulation's own logic (the end-to-end tests run against the real simulator over HTTP).
// It implements create/get/update/delete/list with resourceVersion, 404/409 Status bodies,
// `labelSelector=k=v`, and a deny list of verbs that answer 403.
import type { HttpMethod, KubeApi, KubeResponse } from './kube-api.js';

export interface MemoryApi extends KubeApi {
  /** Stored objects by path (`/apis/crd.projectcalico.org/v1/globalnetworkpolicies/default.x`). */
  readonly objects: Map<string, Record<string, unknown>>;
  /** `verb plural`, e.g. `create globalnetworkpolicies`, answered with 403. */
  readonly denied: Set<string>;
  readonly requests: { method: HttpMethod; path: string }[];
}

const VERB: Readonly<Record<HttpMethod, string>> = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function status(code: number, reason: string, message: string): KubeResponse {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code } };
}

export function memoryApi(seed: Record<string, Record<string, unknown>> = {}): MemoryApi {
  const objects = new Map(Object.entries(seed).map(([k, v]) => [k, structuredClone(v)]));
  const denied = new Set<string>();
  const requests: { method: HttpMethod; path: string }[] = [];
  let rv = 100;

  async function request(r: { method: HttpMethod; path: string; body?: unknown }): Promise<KubeResponse> {
    requests.push({ method: r.method, path: r.path });
    const [pathOnly, query = ''] = r.path.split('?');
    const path = pathOnly ?? '';
    const parts = path.split('/');
    const params = new URLSearchParams(query);
    // /apis/g/v/[namespaces/ns/]plural[/name]
    const nsIdx = parts.indexOf('namespaces');
    const rest = nsIdx >= 0 ? parts.slice(nsIdx + 2) : parts.slice(4);
    const plural = rest[0] ?? '';
    const name = rest[1];
    const verb = r.method === 'GET' && name === undefined ? 'list' : VERB[r.method];
    if (denied.has(`${verb} ${plural}`)) {
      return status(403, 'Forbidden', `${plural}.crd.projectcalico.org ${name ? `"${name}" ` : ''}is forbidden: User "system:serviceaccount:test:sa" cannot ${verb} resource "${plural}" in API group "crd.projectcalico.org" at the cluster scope`);
    }
    const notFound = (): KubeResponse => status(404, 'NotFound', `${plural}.crd.projectcalico.org "${name ?? ''}" not found`);
    if (r.method === 'GET' && name === undefined) {
      const selector = params.get('labelSelector');
      const [lk, lv] = selector ? selector.split('=') : [];
      const parent = (p: string): string => p.slice(0, p.lastIndexOf('/'));
      const items = [...objects]
        .filter(([k]) => parent(k) === path || (nsIdx < 0 && parent(k).replace(/\/namespaces\/[^/]+/, '') === path))
        .map(([, o]) => o)
        .filter((o) => !lk || ((o['metadata'] as { labels?: Record<string, string> }).labels ?? {})[lk] === lv);
      return { status: 200, body: { kind: 'List', metadata: { resourceVersion: String(rv) }, items } };
    }
    if (r.method === 'POST') {
      const body = structuredClone(r.body) as Record<string, unknown>;
      const meta = body['metadata'] as Record<string, unknown>;
      const key = `${path}/${String(meta['name'])}`;
      if (objects.has(key)) return status(409, 'AlreadyExists', `${plural}.crd.projectcalico.org "${String(meta['name'])}" already exists`);
      rv += 1;
      meta['resourceVersion'] = String(rv);
      meta['uid'] = `uid-${rv}`;
      objects.set(key, body);
      return { status: 201, body };
    }
    const existing = objects.get(path);
    if (!existing) return notFound();
    if (r.method === 'GET') return { status: 200, body: structuredClone(existing) };
    if (r.method === 'DELETE') {
      objects.delete(path);
      return { status: 200, body: existing };
    }
    const body = structuredClone(r.body) as Record<string, unknown>;
    const meta = body['metadata'] as Record<string, unknown>;
    if (meta['resourceVersion'] !== (existing['metadata'] as Record<string, unknown>)['resourceVersion']) {
      return status(409, 'Conflict', `Operation cannot be fulfilled on ${plural}.crd.projectcalico.org "${name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    rv += 1;
    meta['resourceVersion'] = String(rv);
    objects.set(path, body);
    return { status: 200, body };
  }

  return { request, objects, denied, requests };
}
