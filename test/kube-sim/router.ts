// The request pipeline of the simulated API server: fault injection → authentication →
// impersonation → routing (discovery, OpenAPI, health, /_sim admin) → RBAC → resource handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { impersonatedUser, type UserInfo } from './authn.js';
import { apiGroupDoc, apiGroupListDoc, apiVersionsDoc, resourceListDoc, versionDoc } from './discovery.js';
import { parseJson, readBody, sendError, sendJson, sendText } from './http-util.js';
import { openApiV3Doc, openApiV3Root } from './openapi.js';
import { authorize, forbiddenWhy, type Attributes } from './rbac.js';
import { requestInfo } from './request-info.js';
import { handleResource, type ResourceContext } from './resource-handler.js';
import type { FaultRule, Faults } from './faults.js';
import { ApiError, conflict, forbidden, forCode, notFoundPath, unauthorized } from './status.js';
import { str } from './meta.js';

export interface RouterContext extends ResourceContext {
  readonly faults: Faults;
  /** Resource requests received, by `verb group/resource namespace` (`list /pods `: cluster-wide). */
  readonly requests: Map<string, number>;
  readonly hostPort: () => string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function route(ctx: RouterContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await routeOrThrow(ctx, req, res);
  } catch (e) {
    if (e instanceof ApiError) sendError(res, e);
    else sendError(res, forCode(500, `an error on the server ("${e instanceof Error ? e.message : String(e)}") has prevented the request from succeeding`));
  }
}

async function routeOrThrow(ctx: RouterContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://sim.invalid');
  const info = requestInfo(method, url);
  const isSim = url.pathname.startsWith('/_sim/');
  if (info.isResource && info.subresource === '') {
    const key = `${info.verb} ${info.group}/${info.resource} ${info.namespace}`;
    ctx.requests.set(key, (ctx.requests.get(key) ?? 0) + 1);
  }

  if (!isSim) {
    const fault = ctx.faults.match(method, url.pathname, { watch: info.verb === 'watch' });
    if (fault) {
      if (fault.latencyMs) await sleep(fault.latencyMs);
      if (fault.dropWatch && info.verb === 'watch') {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) throw injected(fault, info);
    }
  }

  const caller = ctx.tokens.authenticate(req.headers.authorization, (ns, name) => {
    const sa = ctx.store.get('/serviceaccounts', ns, name);
    return sa ? str((sa['metadata'] as Record<string, unknown>)['uid']) : undefined;
  });
  if (!caller) throw unauthorized();
  const user = impersonate(ctx, req, caller);

  if (isSim) return simAdmin(ctx, req, res, user, method, url);

  const attrs: Attributes = info.isResource
    ? { user, verb: info.verb, isResource: true, path: info.path, group: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name }
    : { user, verb: info.verb, isResource: false, path: info.path, group: '', resource: '', subresource: '', namespace: '', name: '' };
  const decision = authorize(ctx.rbac, attrs);
  if (!decision.allowed) {
    // the API group of a non-resource or unknown request is empty, as in forbiddenMessage
    throw forbidden({ group: attrs.group, resource: attrs.resource, name: attrs.name, why: forbiddenWhy(attrs, decision.reason) });
  }

  if (!info.isResource) return nonResource(ctx, res, method, url.pathname);
  await handleResource(ctx, { ...info, method, url, user }, req, res);
}

function injected(fault: FaultRule, info: ReturnType<typeof requestInfo>): ApiError {
  const status = fault.status ?? 500;
  if (status === 409 && info.isResource && info.name) return conflict(info.group, info.resource, info.name);
  return forCode(status);
}

function impersonate(ctx: RouterContext, req: IncomingMessage, caller: UserInfo): UserInfo {
  const asUser = req.headers['impersonate-user'];
  const rawGroups = req.headers['impersonate-group'];
  const groups = (Array.isArray(rawGroups) ? rawGroups : rawGroups ? [rawGroups] : []).flatMap((g) => g.split(',').map((s) => s.trim())).filter(Boolean);
  if (typeof asUser !== 'string' || asUser === '') {
    if (groups.length) throw new ApiError({ code: 500, reason: 'InternalError', message: 'requested [{Group  ' + groups.join(' ') + '}] without impersonating a user' });
    return caller;
  }
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(asUser);
  const checks: Attributes[] = [
    sa
      ? { user: caller, verb: 'impersonate', isResource: true, path: '', group: '', resource: 'serviceaccounts', subresource: '', namespace: sa[1] ?? '', name: sa[2] ?? '' }
      : { user: caller, verb: 'impersonate', isResource: true, path: '', group: '', resource: 'users', subresource: '', namespace: '', name: asUser },
    ...groups.map((g): Attributes => ({ user: caller, verb: 'impersonate', isResource: true, path: '', group: '', resource: 'groups', subresource: '', namespace: '', name: g })),
  ];
  for (const a of checks) {
    const d = authorize(ctx.rbac, a);
    if (!d.allowed) throw forbidden({ group: '', resource: a.resource, name: a.name, why: forbiddenWhy(a, d.reason) });
  }
  return impersonatedUser(asUser, groups);
}

function nonResource(ctx: RouterContext, res: ServerResponse, method: string, path: string): void {
  if (method !== 'GET') throw notFoundPath();
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/healthz' || p === '/livez' || p === '/readyz') return sendText(res, 200, 'ok');
  if (p === '/version') return sendJson(res, 200, versionDoc());
  if (p === '/api') return sendJson(res, 200, apiVersionsDoc(ctx.hostPort()));
  if (p === '/apis') return sendJson(res, 200, apiGroupListDoc(ctx.registry));
  if (p === '/openapi/v3') return sendJson(res, 200, openApiV3Root(ctx.registry));
  const parts = p.split('/').filter(Boolean);
  let doc: unknown;
  if (parts[0] === 'api' && parts.length === 2) doc = resourceListDoc(ctx.registry, '', parts[1] ?? '');
  else if (parts[0] === 'apis' && parts.length === 2) doc = apiGroupDoc(ctx.registry, parts[1] ?? '');
  else if (parts[0] === 'apis' && parts.length === 3) doc = resourceListDoc(ctx.registry, parts[1] ?? '', parts[2] ?? '');
  else if (parts[0] === 'openapi' && parts[1] === 'v3' && parts[2] === 'api' && parts.length === 4) doc = openApiV3Doc(ctx.registry, '', parts[3] ?? '');
  else if (parts[0] === 'openapi' && parts[1] === 'v3' && parts[2] === 'apis' && parts.length === 5) doc = openApiV3Doc(ctx.registry, parts[3] ?? '', parts[4] ?? '');
  if (doc === undefined) throw notFoundPath();
  sendJson(res, 200, doc);
}

async function simAdmin(ctx: RouterContext, req: IncomingMessage, res: ServerResponse, user: UserInfo, method: string, url: URL): Promise<void> {
  if (!user.groups.includes('system:masters')) throw forbidden({ group: '', resource: '', name: '', why: `User "${user.name}" cannot ${method.toLowerCase()} path "${url.pathname}"` });
  if (url.pathname !== '/_sim/faults') throw notFoundPath();
  if (method === 'GET') return sendJson(res, 200, { rules: ctx.faults.list() });
  if (method === 'DELETE') {
    ctx.faults.clear();
    return sendJson(res, 200, { rules: [] });
  }
  if (method === 'POST' || method === 'PUT') {
    const body = parseJson(await readBody(req));
    const rules = (Array.isArray(body) ? body : typeof body === 'object' && body !== null ? (body as { rules?: unknown }).rules : undefined) as FaultRule[] | undefined;
    if (!Array.isArray(rules) || rules.some((r) => typeof r !== 'object' || r === null || typeof r.pathPrefix !== 'string')) {
      throw new ApiError({ code: 400, reason: 'BadRequest', message: 'expected {"rules": [{"pathPrefix": "...", ...}]}' });
    }
    ctx.faults.set(rules);
    dropMatchingWatches(ctx);
    return sendJson(res, 200, { rules: ctx.faults.list() });
  }
  throw notFoundPath();
}

/** Open watches a dropWatch rule covers are cut at once. */
export function dropMatchingWatches(ctx: RouterContext): void {
  for (const w of [...ctx.watches]) if (ctx.faults.dropsWatch(w.path)) w.drop();
}
