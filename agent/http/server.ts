// The agent's HTTP surface: /healthz, /readyz, /metrics, /status, /impact/<sha> and POST /hooks/git.
// The webhook faces the internet, so what an anonymous client can cost is bounded: a request
// without a valid-looking signature is refused on its headers alone (no body byte is read), only a
// few bodies are read at once, and slow headers or a trickled body are cut off by deadlines.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { Logger } from '../domain/runtime.js';

export type WebhookVerdict =
  | { readonly ok: true; readonly relevant: boolean; readonly note?: string }
  | { readonly ok: false; readonly reason: string };

export interface WebhookHandlers {
  /** Refuses from the headers alone (no signature header, no secret configured) before the body is read. */
  precheck(headers: IncomingHttpHeaders): { readonly ok: true } | { readonly ok: false; readonly reason: string };
  /** Checks the signature and whether the push concerns our branch. */
  verify(headers: IncomingHttpHeaders, body: Buffer): WebhookVerdict;
  /** Called for a verified, relevant push. */
  onPush(): void;
}

export interface HttpHandlers {
  /** Readiness checks by name; all must be true. */
  readiness(): Promise<Record<string, boolean>>;
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): Promise<unknown>;
  /** Absent: `/hooks/git` is not served (the worker). */
  readonly webhook?: WebhookHandlers;
  /** A commit's impact page (HTML), or the page saying why there is none (sent as a 404). Absent: not served. */
  readonly impactPage?: (sha: string) => Promise<{ found: boolean; html: string }>;
}

/** Headers of the impact page and its 404 (set by the page's renderer). */
export interface HtmlPage {
  readonly headers: Readonly<Record<string, string>>;
  readonly notFound: string;
}

export interface HttpLimits {
  /** Largest webhook body accepted. */
  readonly maxBodyBytes: number;
  /** Webhook bodies read at the same time; more are answered 503 without reading. */
  readonly maxConcurrentBodies: number;
  /** Time a client has to send its headers. */
  readonly headersTimeoutMs: number;
  /** Time a client has to send its whole request (headers and body). */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 1024 * 1024,
  maxConcurrentBodies: 4,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
};

export interface HttpServerOptions {
  readonly handlers: HttpHandlers;
  /** How HTML pages are sent (with `handlers.impactPage`). */
  readonly html?: HtmlPage;
  readonly logger: Logger;
  readonly limits?: Partial<HttpLimits>;
}

export function createHttpServer(opts: HttpServerOptions): Server {
  const { handlers, logger } = opts;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...opts.limits };
  let bodiesInFlight = 0;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node looks for expired requests on this period (30 s by default, far longer than the deadlines).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
    },
    (req, res) => {
      const send = (code: number, body: unknown, o: { type?: string; close?: boolean } = {}): void => {
        const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
        // A refused request's unread body is not drained: the connection is closed instead.
        res.writeHead(code, { 'content-type': o.type ?? 'application/json', ...(o.close ? { connection: 'close' } : {}) });
        res.end(text);
      };
      const path = (req.url ?? '/').split('?')[0];
      void (async () => {
        if (req.method === 'GET' && path === '/healthz') return send(200, 'ok\n', { type: 'text/plain' });
        if (req.method === 'GET' && path === '/readyz') {
          const checks = await handlers.readiness();
          const ready = Object.values(checks).every(Boolean);
          return send(ready ? 200 : 503, { ready, checks });
        }
        if (req.method === 'GET' && path === '/metrics') {
          const m = await handlers.metrics();
          return send(200, m.body, { type: m.contentType });
        }
        if (req.method === 'GET' && path === '/status') return send(200, await handlers.status());
        const impact = handlers.impactPage && path?.startsWith('/impact/') ? handlers.impactPage : undefined;
        if (impact && req.method === 'GET') {
          const sha = (path ?? '').slice('/impact/'.length);
          // A commit id (abbreviated or full, SHA-1 or SHA-256) or nothing: the key stays ours.
          const page = /^[0-9a-f]{7,64}$/i.test(sha) ? await impact(sha.toLowerCase()) : undefined;
          const headers = opts.html?.headers ?? { 'content-type': 'text/html; charset=utf-8' };
          res.writeHead(page?.found ? 200 : 404, headers);
          res.end(page?.html ?? opts.html?.notFound ?? 'not found\n');
          return;
        }
        const webhook = handlers.webhook;
        if (path === '/hooks/git' && webhook) {
          if (req.method !== 'POST') return send(405, { error: 'method not allowed' }, { close: true });
          const pre = webhook.precheck(req.headers);
          if (!pre.ok) {
            logger.warn({ reason: pre.reason }, 'webhook rejected');
            return send(401, { error: pre.reason }, { close: true });
          }
          const declared = Number(req.headers['content-length']);
          if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
            return send(413, { error: `body larger than ${limits.maxBodyBytes} bytes` }, { close: true });
          }
          if (bodiesInFlight >= limits.maxConcurrentBodies) {
            res.setHeader('retry-after', '1');
            return send(503, { error: 'too many webhook requests in flight' }, { close: true });
          }
          bodiesInFlight++;
          let body: Buffer | undefined;
          try {
            body = await readBody(req, limits.maxBodyBytes);
          } finally {
            bodiesInFlight--;
          }
          if (body === undefined) return send(413, { error: `body larger than ${limits.maxBodyBytes} bytes` }, { close: true });
          const verdict = webhook.verify(req.headers, body);
          if (!verdict.ok) {
            logger.warn({ reason: verdict.reason }, 'webhook rejected');
            return send(401, { error: verdict.reason });
          }
          if (!verdict.relevant) return send(200, { accepted: false, note: verdict.note ?? 'not for the followed branch' });
          webhook.onPush();
          return send(202, { accepted: true });
        }
        return send(404, { error: 'not found' });
      })().catch((err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err), path }, 'http handler failed');
        if (!res.headersSent && !res.destroyed) send(500, { error: 'internal error' }, { close: true });
      });
    },
  );
  return server;
}

/** The body, or undefined once it grows past `max` (the rest is not read). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > max) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
