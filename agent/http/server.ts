// The agent's HTTP surface: /healthz, /readyz, /metrics, /status and POST /hooks/git.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Logger } from '../domain/runtime.js';

export type WebhookVerdict =
  | { readonly ok: true; readonly relevant: boolean; readonly note?: string }
  | { readonly ok: false; readonly reason: string };

export interface HttpHandlers {
  /** Readiness checks by name; all must be true. */
  readiness(): Promise<Record<string, boolean>>;
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): Promise<unknown>;
  /** Checks the signature and whether the push concerns our branch. */
  verifyWebhook(headers: IncomingHttpHeaders, body: Buffer): WebhookVerdict;
  /** Called for a verified, relevant push. */
  onPush(): void;
}

export interface HttpServerOptions {
  readonly handlers: HttpHandlers;
  readonly logger: Logger;
  /** Largest webhook body accepted. */
  readonly maxBodyBytes?: number;
}

export function createHttpServer(opts: HttpServerOptions): Server {
  const { handlers, logger } = opts;
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  return createServer((req, res) => {
    const send = (code: number, body: unknown, type = 'application/json'): void => {
      const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
      res.writeHead(code, { 'content-type': type });
      res.end(text);
    };
    const path = (req.url ?? '/').split('?')[0];
    void (async () => {
      if (req.method === 'GET' && path === '/healthz') return send(200, 'ok\n', 'text/plain');
      if (req.method === 'GET' && path === '/readyz') {
        const checks = await handlers.readiness();
        const ready = Object.values(checks).every(Boolean);
        return send(ready ? 200 : 503, { ready, checks });
      }
      if (req.method === 'GET' && path === '/metrics') {
        const m = await handlers.metrics();
        return send(200, m.body, m.contentType);
      }
      if (req.method === 'GET' && path === '/status') return send(200, await handlers.status());
      if (path === '/hooks/git') {
        if (req.method !== 'POST') return send(405, { error: 'method not allowed' });
        const body = await readBody(req, maxBody);
        if (body === undefined) return send(413, { error: `body larger than ${maxBody} bytes` });
        const verdict = handlers.verifyWebhook(req.headers, body);
        if (!verdict.ok) {
          logger.warn({ reason: verdict.reason }, 'webhook rejected');
          return send(401, { error: verdict.reason });
        }
        if (!verdict.relevant) return send(200, { accepted: false, note: verdict.note ?? 'not for the followed branch' });
        handlers.onPush();
        return send(202, { accepted: true });
      }
      return send(404, { error: 'not found' });
    })().catch((err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err), path }, 'http handler failed');
      if (!res.headersSent) send(500, { error: 'internal error' });
    });
  });
}

async function readBody(req: NodeJS.ReadableStream, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > max) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** `:8080` → {host: '0.0.0.0', port: 8080}; `127.0.0.1:0` → random port on loopback. */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = i > 0 ? listen.slice(0, i).replace(/^\[(.*)\]$/, '$1') : '0.0.0.0';
  const port = Number(listen.slice(i + 1));
  return { host, port: Number.isInteger(port) ? port : 8080 };
}
