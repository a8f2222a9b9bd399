// Turns a request path into what the authorizer and handlers need (k8s RequestInfoFactory).

export type RequestInfo =
  | { readonly isResource: false; readonly path: string; readonly verb: string }
  | {
      readonly isResource: true;
      readonly path: string;
      readonly verb: string;
      readonly group: string;
      readonly version: string;
      readonly namespace: string;
      readonly resource: string;
      readonly name: string;
      readonly subresource: string;
    };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function requestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const m = method.toUpperCase();
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let gvParts: string[];
  let group = '';
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    version = parts[1] ?? '';
    gvParts = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    version = parts[2] ?? '';
    gvParts = parts.slice(3);
  } else {
    return { isResource: false, path, verb: m.toLowerCase() };
  }
  let namespace = '';
  let rest = gvParts;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1] ?? '';
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] ?? '')) rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  const watch = ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
  let verb: string;
  switch (m) {
    case 'GET':
    case 'HEAD':
      verb = watch ? 'watch' : name ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = m.toLowerCase();
  }
  return { isResource: true, path, verb, group, version, namespace, resource, name, subresource };
}
