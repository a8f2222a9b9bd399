// A tiny HTTP client for simulator tests: raw requests with a bearer token, JSON in and out.
import type { KubeSim } from './server.js';

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export type Call = (method: string, path: string, o?: { body?: unknown; token?: string; contentType?: string; headers?: Record<string, string> }) => Promise<Reply>;

export function caller(sim: KubeSim): Call {
  return async (method, path, o = {}) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${o.token ?? sim.adminToken}`, Accept: 'application/json', ...(o.headers ?? {}) };
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['Content-Type'] = o.contentType ?? 'application/json';
    }
    const res = await fetch(`${sim.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = {};
    }
    return { status: res.status, body: parsed, text };
  };
}

/** Reads a watch stream until `until` says stop (or `ms` pass); returns the events seen. */
export async function watchEvents(
  sim: KubeSim,
  path: string,
  o: { token?: string; until: (events: { type: string; object: Record<string, unknown> }[]) => boolean; ms?: number },
): Promise<{ type: string; object: Record<string, unknown> }[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), o.ms ?? 5000);
  const events: { type: string; object: Record<string, unknown> }[] = [];
  try {
    const res = await fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${o.token ?? sim.adminToken}` }, signal: ac.signal });
    if (!res.body) return events;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) events.push(JSON.parse(line) as { type: string; object: Record<string, unknown> });
      }
      if (o.until(events)) break;
    }
    await reader.cancel().catch(() => undefined);
  } catch (e) {
    if (!(e instanceof Error && e.name === 'AbortError')) throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}
