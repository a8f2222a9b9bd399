// Reading request bodies and writing JSON / Status responses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import yaml from 'js-yaml';
import { decodeProtobuf } from './protobuf.js';
import { ApiError, type Json } from './status.js';

const MAX_BODY = 3 * 1024 * 1024; // the real server's limit is 3 MiB per request

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString('utf8');
}

/** The request body as an object, from JSON, YAML or Kubernetes protobuf. */
export async function readObject(req: IncomingMessage): Promise<unknown> {
  const raw = await readRaw(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/vnd.kubernetes.protobuf') return raw.length === 0 ? undefined : decodeProtobuf(raw);
  if (type === 'application/yaml') {
    try {
      return yaml.load(raw.toString('utf8'));
    } catch (e) {
      throw new ApiError({ code: 400, reason: 'BadRequest', message: `error decoding YAML request body: ${(e as Error).message}` });
    }
  }
  return parseJson(raw.toString('utf8'));
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new ApiError({ code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 3145728' });
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError({ code: 400, reason: 'BadRequest', message: `error decoding request body: ${(e as Error).message}` });
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  const headers: Json = err.code === 429 || err.code === 503 ? { 'Retry-After': '1' } : {};
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(err.toStatus());
  res.writeHead(err.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...(headers as Record<string, string>) });
  res.end(text);
}
