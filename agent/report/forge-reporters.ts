// Commit status reporters for GitHub, GitLab and Gitea/Forgejo over their REST APIs.
// GitHub: POST {api}/repos/{owner}/{repo}/statuses/{sha}, `Authorization: Bearer <token>`, JSON
//   {state, target_url, description, context}; list: GET /repos/{owner}/{repo}/commits/{sha}/statuses
//   (newest first). docs.github.com/rest/commits/statuses
// GitLab: POST {api}/projects/{url-encoded path}/statuses/{sha}, `PRIVATE-TOKEN: <token>`,
//   {state, name, description, target_url}; list: GET /projects/{id}/repository/commits/{sha}/statuses.
//   docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit
// Gitea/Forgejo: POST {api}/repos/{owner}/{repo}/statuses/{sha}, `Authorization: token <token>`,
//   CreateStatusOption {state, target_url, description, context}; list: GET
//   /repos/{owner}/{repo}/commits/{sha}/statuses (CommitStatus has `status`, not `state`).
import { normalizeStatus, type CommitStatus, type StatusReporter } from './commit-status.js';
import { ForgeError } from './forge-error.js';
import { forgeRequest, readToken, type FetchFn, type TokenSource } from './forge-http.js';
import { toGiteaState, toGitHubState, toGitLabState } from './forge-states.js';
import type { Forge } from '../config/options.js';

export interface ForgeReporterOptions {
  /** API base URL: `https://api.github.com`, `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`. */
  readonly apiUrl: string;
  /** `owner/name`; for GitLab the full project path `group/sub/project`. */
  readonly repo: string;
  readonly token: TokenSource;
  readonly fetch: FetchFn;
  readonly timeoutMs?: number;
}

/** A status as the forge shows it, in the forge's own state word. */
export interface ForgeStatus {
  readonly context: string;
  readonly state: string;
  readonly description: string;
}

export interface ForgeStatusReporter extends StatusReporter {
  readonly forge: Forge;
  /** The newest status per context for a commit. */
  latest(sha: string): Promise<Map<string, ForgeStatus>>;
  /** The state word this forge uses for one of ours (dedup compares in the forge's words). */
  forgeState(status: CommitStatus): string;
}

export function createForgeReporter(forge: Forge, options: ForgeReporterOptions): ForgeStatusReporter {
  if (forge === 'github') return new GitHubReporter(options);
  if (forge === 'gitlab') return new GitLabReporter(options);
  return new GiteaReporter(options);
}

function splitRepo(repo: string): string {
  const parts = repo.split('/').filter(Boolean);
  if (parts.length !== 2) throw new ForgeError(`forge repository must be OWNER/NAME, got ${JSON.stringify(repo)}`, { status: 400 });
  return parts.map(encodeURIComponent).join('/');
}

abstract class BaseReporter implements ForgeStatusReporter {
  abstract readonly forge: Forge;
  protected readonly o: ForgeReporterOptions;
  constructor(options: ForgeReporterOptions) {
    this.o = options;
  }
  abstract post(status: CommitStatus): Promise<void>;
  abstract latest(sha: string): Promise<Map<string, ForgeStatus>>;
  abstract forgeState(status: CommitStatus): string;

  protected async call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<unknown> {
    return forgeRequest({
      forge: this.forge,
      method,
      apiUrl: this.o.apiUrl,
      path,
      headers,
      fetch: this.o.fetch,
      ...(body === undefined ? {} : { body }),
      ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}),
    });
  }
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

class GitHubReporter extends BaseReporter {
  readonly forge = 'github' as const;
  forgeState(status: CommitStatus): string {
    return toGitHubState(status.state);
  }
  async post(status: CommitStatus): Promise<void> {
    const s = normalizeStatus(status);
    await this.call('POST', `/repos/${splitRepo(this.o.repo)}/statuses/${encodeURIComponent(s.sha)}`, await this.#auth(), {
      state: toGitHubState(s.state),
      context: s.context,
      description: s.description,
      ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
    });
  }
  async latest(sha: string): Promise<Map<string, ForgeStatus>> {
    const list = records(await this.call('GET', `/repos/${splitRepo(this.o.repo)}/commits/${encodeURIComponent(sha)}/statuses?per_page=100`, await this.#auth()));
    const out = new Map<string, ForgeStatus>();
    // Newest first: the first entry of a context wins.
    for (const r of list) if (!out.has(text(r['context']))) out.set(text(r['context']), { context: text(r['context']), state: text(r['state']), description: text(r['description']) });
    return out;
  }
  async #auth(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await readToken(this.o.token)}`, 'x-github-api-version': '2022-11-28' };
  }
}

class GitLabReporter extends BaseReporter {
  readonly forge = 'gitlab' as const;
  forgeState(status: CommitStatus): string {
    return toGitLabState(status.state);
  }
  #project(): string {
    return encodeURIComponent(this.o.repo.replace(/^\/+|\/+$/g, ''));
  }
  async post(status: CommitStatus): Promise<void> {
    const s = normalizeStatus(status);
    await this.call('POST', `/projects/${this.#project()}/statuses/${encodeURIComponent(s.sha)}`, await this.#auth(), {
      state: toGitLabState(s.state),
      name: s.context,
      description: s.description,
      ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
    });
  }
  async latest(sha: string): Promise<Map<string, ForgeStatus>> {
    const list = records(await this.call('GET', `/projects/${this.#project()}/repository/commits/${encodeURIComponent(sha)}/statuses?per_page=100`, await this.#auth()));
    return newestById(list.map((r) => ({ id: Number(r['id'] ?? 0), context: text(r['name']), state: text(r['status']), description: text(r['description']) })));
  }
  async #auth(): Promise<Record<string, string>> {
    return { 'private-token': await readToken(this.o.token) };
  }
}

class GiteaReporter extends BaseReporter {
  readonly forge = 'gitea' as const;
  forgeState(status: CommitStatus): string {
    return toGiteaState(status.state);
  }
  async post(status: CommitStatus): Promise<void> {
    const s = normalizeStatus(status);
    await this.call('POST', `/repos/${splitRepo(this.o.repo)}/statuses/${encodeURIComponent(s.sha)}`, await this.#auth(), {
      state: toGiteaState(s.state),
      context: s.context,
      description: s.description,
      ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
    });
  }
  async latest(sha: string): Promise<Map<string, ForgeStatus>> {
    const list = records(await this.call('GET', `/repos/${splitRepo(this.o.repo)}/commits/${encodeURIComponent(sha)}/statuses?limit=50`, await this.#auth()));
    return newestById(list.map((r) => ({ id: Number(r['id'] ?? 0), context: text(r['context']), state: text(r['status'] ?? r['state']), description: text(r['description']) })));
  }
  async #auth(): Promise<Record<string, string>> {
    return { authorization: `token ${await readToken(this.o.token)}` };
  }
}

function newestById(list: readonly (ForgeStatus & { id: number })[]): Map<string, ForgeStatus> {
  const best = new Map<string, ForgeStatus & { id: number }>();
  for (const s of list) {
    const prev = best.get(s.context);
    if (!prev || s.id > prev.id) best.set(s.context, s);
  }
  return new Map([...best].map(([k, { context, state, description }]) => [k, { context, state, description }]));
}
