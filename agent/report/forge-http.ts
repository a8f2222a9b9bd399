// The one HTTP call the forge reporters make: JSON in, JSON out, through an injected fetch, with
// failures turned into ForgeError. The token lives only in the header it is given in.
import { ForgeError } from './forge-error.js';

export type FetchFn = (input: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{
  readonly status: number;
  readonly ok: boolean;
  text(): Promise<string>;
}>;

/** A token, or a function that reads it (from a mounted file, so rotation works). */
export type TokenSource = string | (() => Promise<string>);

export async function readToken(token: TokenSource): Promise<string> {
  return (typeof token === 'string' ? token : await token()).trim();
}

export interface ForgeRequest {
  readonly forge: string;
  readonly method: 'GET' | 'POST';
  /** Base API URL, e.g. `https://api.github.com`, `https://gitlab.example/api/v4`. */
  readonly apiUrl: string;
  /** Path below the API URL, already encoded. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
  readonly fetch: FetchFn;
  readonly timeoutMs?: number;
}

export async function forgeRequest(req: ForgeRequest): Promise<unknown> {
  const url = `${req.apiUrl.replace(/\/+$/, '')}${req.path}`;
  const where = `${req.forge} ${req.method} ${req.path.split('?')[0]}`;
  let res: Awaited<ReturnType<FetchFn>>;
  try {
    res = await req.fetch(url, {
      method: req.method,
      headers: { accept: 'application/json', ...(req.body === undefined ? {} : { 'content-type': 'application/json' }), ...req.headers },
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      signal: AbortSignal.timeout(req.timeoutMs ?? 15_000),
    });
  } catch (err) {
    throw new ForgeError(`${where} failed: ${err instanceof Error ? err.message : String(err)}`, { status: 0 });
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new ForgeError(`${where} returned ${res.status}${hint(res.status)}${detail(text)}`, { status: res.status });
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function hint(status: number): string {
  if (status === 401) return ' (the token is missing, wrong or expired)';
  if (status === 403) return ' (the token lacks the right to set commit statuses)';
  if (status === 404) return ' (repository or commit not found, or the token cannot see it)';
  return '';
}

// The forge's own message helps ("state is invalid"); keep it short.
function detail(text: string): string {
  if (!text) return '';
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const message = body['message'] ?? body['error'];
    return typeof message === 'string' || typeof message === 'object' ? `: ${JSON.stringify(message).slice(0, 200)}` : '';
  } catch {
    return '';
  }
}
