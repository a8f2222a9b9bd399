// A tiny HTTP(S) client for simulator tests: raw requests with a bearer token, JSON in and out.
// node:http/https rather than fetch, so the simulator's self-signed CA can be trusted per request.
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeSim } from './server.js';

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

export type Call = (method: string, path: string, o?: { body?: unknown; token?: string; contentType?: string; headers?: Record<string, string> }) => Promise<Reply>;

function open(sim: KubeSim, method: string, path: string, headers: Record<string, string>, body: string | undefined, signal?: AbortSignal): Promise<IncomingMessage> {
  const url = new URL(path, sim.url);
  const ca = sim.caCertPath ? readFileSync(sim.caCertPath) : undefined;
  return new Promise((resolve, reject) => {
    const opts = { method, headers, ...(signal ? { signal } : {}) };
    const req = url.protocol === 'https:' ? httpsRequest(url, { ...opts, ...(ca ? { ca } : {}) }, resolve) : httpRequest(url, opts, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

export function caller(sim: KubeSim): Call {
  return async (method, path, o = {}) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${o.token ?? sim.adminToken}`, Accept: 'application/json', ...(o.headers ?? {}) };
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['Content-Type'] = o.contentType ?? 'application/json';
    }
    const res = await open(sim, method, path, headers, body);
    let text = '';
    for await (const chunk of res) text += (chunk as Buffer).toString();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = {};
    }
    return { status: res.statusCode ?? 0, body: parsed, text };
  };
}

export type WatchEvent = { type: string; object: Record<string, unknown> };

/**
 * Reads a watch stream until `until` says stop, the server ends it, or `ms` pass; returns the
 * events seen. A connection cut by the server rejects. `onOpen` is called once the watch is open.
 */
export async function watchEvents(sim: KubeSim, path: string, o: { token?: string; until: (events: WatchEvent[]) => boolean; ms?: number; onOpen?: () => void }): Promise<WatchEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), o.ms ?? 5000);
  const events: WatchEvent[] = [];
  try {
    const res = await open(sim, 'GET', path, { Authorization: `Bearer ${o.token ?? sim.adminToken}` }, undefined, ac.signal);
    // The simulator registers a watch before it sends the headers: from here on the watch is open.
    o.onOpen?.();
    let buf = '';
    for await (const chunk of res) {
      buf += (chunk as Buffer).toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
      }
      if (o.until(events)) break;
    }
  } catch (e) {
    if (!(e instanceof Error && e.name === 'AbortError')) throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}
