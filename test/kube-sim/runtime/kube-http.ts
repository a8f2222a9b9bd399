// A minimal Kubernetes REST client over node:http/https with a bearer token: what the kubelet and
// the emulated images use to talk to the simulator exactly as a remote client would (node:https
// takes the simulator's self-signed CA; Node 20's global fetch cannot without undici).
import http from 'node:http';
import https from 'node:https';
import type { HttpMethod, KubeApi, KubeResponse } from '../calico/kube-api.js';

export interface WatchEvent {
  readonly type: string;
  readonly object: Record<string, unknown>;
}

export interface KubeHttp extends KubeApi {
  /**
   * Streams a watch until the server ends it, the signal aborts, or the connection fails.
   * Resolves with the HTTP status of the watch request (200 for a stream that ran).
   */
  watch(o: { path: string; onEvent: (e: WatchEvent) => void; signal: AbortSignal }): Promise<number>;
}

export interface KubeHttpOptions {
  readonly url: string;
  readonly token: string;
  /** PEM of the CA that signed the server certificate (TLS only). */
  readonly ca?: string;
  /** Per-request timeout for non-watch requests. */
  readonly timeoutMs?: number;
  /** User-Agent header; the API server derives the field manager from it (`calicoctl/v3.31.2 …`). */
  readonly userAgent?: string;
}

export function createKubeHttp(o: KubeHttpOptions): KubeHttp {
  const base = new URL(o.url);
  const secure = base.protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, ...(o.ca ? { ca: o.ca } : {}) }) : new http.Agent({ keepAlive: true });

  function open(method: HttpMethod, path: string, body: string | undefined, signal?: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const target = new URL(path, base);
      const headers: Record<string, string> = { Authorization: `Bearer ${o.token}`, Accept: 'application/json', ...(o.userAgent ? { 'User-Agent': o.userAgent } : {}) };
      if (body !== undefined) {
        headers['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(body));
      }
      const options: https.RequestOptions = { method, headers, agent, ...(signal ? { signal } : {}) };
      const req = (secure ? https : http).request(target, options, resolve);
      req.on('error', reject);
      if (o.timeoutMs && !signal) req.setTimeout(o.timeoutMs, () => req.destroy(new Error(`request to ${target.pathname} timed out`)));
      req.end(body);
    });
  }

  async function request(r: { method: HttpMethod; path: string; body?: unknown }): Promise<KubeResponse> {
    const res = await open(r.method, r.path, r.body === undefined ? undefined : JSON.stringify(r.body));
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Non-JSON bodies (plain-text logs, proxies) stay strings.
    }
    return { status: res.statusCode ?? 0, body, text };
  }

  async function watch(w: { path: string; onEvent: (e: WatchEvent) => void; signal: AbortSignal }): Promise<number> {
    let res: http.IncomingMessage;
    try {
      res = await open('GET', w.path, undefined, w.signal);
    } catch (err) {
      if (w.signal.aborted) return 0;
      throw err;
    }
    if (res.statusCode !== 200) {
      res.resume();
      return res.statusCode ?? 0;
    }
    let buffer = '';
    try {
      for await (const chunk of res) {
        buffer += (chunk as Buffer).toString('utf8');
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) {
            const parsed = JSON.parse(line) as WatchEvent;
            w.onEvent(parsed);
          }
          nl = buffer.indexOf('\n');
        }
      }
    } catch (err) {
      if (!w.signal.aborted) throw err;
    }
    return 200;
  }

  return { request, watch };
}
