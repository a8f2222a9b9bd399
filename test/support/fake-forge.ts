// A local forge for tests: GitHub, GitLab and Gitea/Forgejo commit status endpoints over real HTTP,
// as their REST docs describe them (paths, auth headers, body fields, state names). It checks the
// token (401), the state (422 GitHub/Gitea, 400 GitLab), knows which repositories exist (404), can
// fail on demand (5xx) and records every request.
//   const forge = await startFakeForge({ tokens: { github: 't1', gitlab: 't2', gitea: 't3' } });
//   forge.apiUrl('github')  → http://127.0.0.1:<port>/github
//   forge.apiUrl('gitlab')  → http://127.0.0.1:<port>/gitlab/api/v4
//   forge.apiUrl('gitea')   → http://127.0.0.1:<port>/gitea/api/v1
//   forge.statuses('github', 'owner/repo', sha) → what was stored, oldest first
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeForgeKind = 'github' | 'gitlab' | 'gitea';

export interface RecordedRequest {
  readonly forge: FakeForgeKind;
  readonly method: string;
  /** Path below the API base, query included (as sent, still encoded). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  /** Response status the fake sent. */
  readonly status: number;
}

export interface StoredStatus {
  readonly id: number;
  /** The forge's own state word. */
  readonly state: string;
  /** `context` (GitHub, Gitea) or `name` (GitLab). */
  readonly context: string;
  readonly description: string;
  readonly targetUrl: string | undefined;
}

export interface FakeForge {
  readonly baseUrl: string;
  apiUrl(forge: FakeForgeKind): string;
  readonly requests: RecordedRequest[];
  /** POST requests that created a status. */
  posts(forge?: FakeForgeKind): RecordedRequest[];
  statuses(forge: FakeForgeKind, repo: string, sha: string): StoredStatus[];
  /** The next `count` requests get this HTTP status (e.g. 502). */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

export interface FakeForgeOptions {
  /** Accepted token per forge (default `test-token`). */
  readonly tokens?: Partial<Record<FakeForgeKind, string>>;
  /** Repositories that exist (`owner/name`, GitLab: project path); default: any. */
  readonly repos?: readonly string[];
}

const STATES: Record<FakeForgeKind, readonly string[]> = {
  github: ['pending', 'success', 'failure', 'error'],
  gitlab: ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'],
  gitea: ['pending', 'success', 'error', 'failure', 'warning'],
};

const PREFIX: Record<FakeForgeKind, string> = { github: '/github', gitlab: '/gitlab/api/v4', gitea: '/gitea/api/v1' };

export async function startFakeForge(options: FakeForgeOptions = {}): Promise<FakeForge> {
  const requests: RecordedRequest[] = [];
  const store = new Map<string, StoredStatus[]>();
  const failures: number[] = [];
  let nextId = 1;
  const tokenOf = (f: FakeForgeKind): string => options.tokens?.[f] ?? 'test-token';
  const key = (f: FakeForgeKind, repo: string, sha: string): string => `${f}\n${repo}\n${sha}`;

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const url = req.url ?? '/';
      const forge = (Object.keys(PREFIX) as FakeForgeKind[]).find((f) => url.startsWith(`${PREFIX[f]}/`));
      const reply = (status: number, body: unknown, f: FakeForgeKind | undefined = forge, parsed: unknown = raw): void => {
        if (f) requests.push({ forge: f, method: req.method ?? 'GET', path: url.slice(PREFIX[f].length), headers: { ...req.headers }, body: parsed, status });
        send(res, status, body);
      };
      if (!forge) return reply(404, { message: 'Not Found' });
      const failure = failures.shift();
      if (failure !== undefined) return reply(failure, { message: 'injected failure' });
      const path = url.slice(PREFIX[forge].length);
      if (!authorized(forge, req, tokenOf(forge))) {
        return reply(401, forge === 'gitlab' ? { message: '401 Unauthorized' } : { message: 'Bad credentials' });
      }
      const route = matchRoute(forge, req.method ?? 'GET', path);
      if (!route) return reply(404, { message: 'Not Found' });
      if (options.repos && !options.repos.includes(route.repo)) return reply(404, { message: forge === 'gitlab' ? '404 Project Not Found' : 'Not Found' });
      if (!/^[0-9a-f]{7,64}$/.test(route.sha)) return reply(forge === 'gitlab' ? 404 : 422, { message: 'No commit found for SHA' });
      const k = key(forge, route.repo, route.sha);
      if (route.kind === 'list') {
        const list = store.get(k) ?? [];
        // GitHub lists newest first; GitLab and Gitea oldest first (clients must sort by id).
        const ordered = forge === 'github' ? [...list].reverse() : list;
        return reply(200, ordered.map((s) => render(forge, s)));
      }
      let body: Record<string, unknown>;
      try {
        body = parseBody(raw, req.headers['content-type'], route.query);
      } catch {
        return reply(400, { message: 'Problems parsing JSON' });
      }
      const state = body['state'];
      if (typeof state !== 'string' || !STATES[forge].includes(state)) {
        return reply(forge === 'gitlab' ? 400 : 422, { message: forge === 'gitlab' ? 'state does not have a valid value' : 'Validation Failed', errors: [{ field: 'state', code: 'invalid' }] }, forge, body);
      }
      const context = String((forge === 'gitlab' ? (body['name'] ?? body['context']) : body['context']) ?? 'default');
      const description = body['description'] === undefined ? '' : String(body['description']);
      if (forge === 'github' && [...description].length > 140) {
        return reply(422, { message: 'Validation Failed', errors: [{ field: 'description', code: 'custom', message: 'description is too long (maximum is 140 characters)' }] }, forge, body);
      }
      const stored: StoredStatus = { id: nextId++, state, context, description, targetUrl: typeof body['target_url'] === 'string' ? body['target_url'] : undefined };
      store.set(k, [...(store.get(k) ?? []), stored]);
      reply(201, render(forge, stored), forge, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    apiUrl: (f) => `${baseUrl}${PREFIX[f]}`,
    requests,
    posts: (f) => requests.filter((r) => r.method === 'POST' && r.status === 201 && (f === undefined || r.forge === f)),
    statuses: (f, repo, sha) => [...(store.get(key(f, repo, sha)) ?? [])],
    failNext: (status, count = 1) => {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function authorized(forge: FakeForgeKind, req: IncomingMessage, token: string): boolean {
  const auth = req.headers.authorization;
  if (forge === 'github') return auth === `Bearer ${token}` || auth === `token ${token}`;
  if (forge === 'gitlab') return req.headers['private-token'] === token || auth === `Bearer ${token}`;
  return auth === `token ${token}` || auth === `Bearer ${token}`;
}

type Route = { kind: 'create' | 'list'; repo: string; sha: string; query: URLSearchParams };

function matchRoute(forge: FakeForgeKind, method: string, pathWithQuery: string): Route | undefined {
  const [path = '', q = ''] = pathWithQuery.split('?');
  const query = new URLSearchParams(q);
  const seg = path.split('/').slice(1);
  if (forge === 'gitlab') {
    // /projects/:id/statuses/:sha and /projects/:id/repository/commits/:sha/statuses (:id url-encoded path)
    if (seg[0] !== 'projects' || seg[1] === undefined) return undefined;
    const repo = decodeURIComponent(seg[1]);
    if (method === 'POST' && seg.length === 4 && seg[2] === 'statuses') return { kind: 'create', repo, sha: seg[3] ?? '', query };
    if (method === 'GET' && seg.length === 6 && seg[2] === 'repository' && seg[3] === 'commits' && seg[5] === 'statuses') return { kind: 'list', repo, sha: seg[4] ?? '', query };
    return undefined;
  }
  // /repos/:owner/:repo/statuses/:sha (POST; Gitea also GET) and /repos/:owner/:repo/commits/:ref/statuses (GET)
  if (seg[0] !== 'repos' || seg.length < 5) return undefined;
  const repo = `${decodeURIComponent(seg[1] ?? '')}/${decodeURIComponent(seg[2] ?? '')}`;
  if (seg.length === 5 && seg[3] === 'statuses') {
    if (method === 'POST') return { kind: 'create', repo, sha: seg[4] ?? '', query };
    if (method === 'GET' && forge === 'gitea') return { kind: 'list', repo, sha: seg[4] ?? '', query };
  }
  if (method === 'GET' && seg.length === 6 && seg[3] === 'commits' && seg[5] === 'statuses') return { kind: 'list', repo, sha: seg[4] ?? '', query };
  return undefined;
}

function render(forge: FakeForgeKind, s: StoredStatus): Record<string, unknown> {
  if (forge === 'github') return { id: s.id, state: s.state, context: s.context, description: s.description, target_url: s.targetUrl ?? null };
  if (forge === 'gitlab') return { id: s.id, status: s.state, name: s.context, description: s.description, target_url: s.targetUrl ?? null };
  return { id: s.id, status: s.state, context: s.context, description: s.description, target_url: s.targetUrl ?? '' };
}

// GitLab takes its parameters as JSON, form or query string; the others as JSON only.
function parseBody(raw: string, contentType: string | undefined, query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(query);
  if (!raw) return out;
  if ((contentType ?? '').includes('application/x-www-form-urlencoded')) return { ...out, ...Object.fromEntries(new URLSearchParams(raw)) };
  const parsed = JSON.parse(raw) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  return { ...out, ...(parsed as Record<string, unknown>) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
