// Webhook authentication for `POST /hooks/git` (pure): GitHub's `X-Hub-Signature-256:
// sha256=<hex>` HMAC of the raw body, GitLab's `X-Gitlab-Token` shared secret, Gitea/Forgejo's
// `X-Gitea-Signature` / `X-Forgejo-Signature` (hex HMAC-SHA256 of the body, no prefix).
// Every comparison is timing-safe; the secret never appears in a reason.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_FORGES = ['github', 'gitlab', 'gitea'] as const;
export type WebhookForge = (typeof WEBHOOK_FORGES)[number];

/** Whether a request is authentic (and from which forge); webhook-check.ts decides what it means. */
export type WebhookAuth = { readonly ok: true; readonly forge: WebhookForge } | { readonly ok: false; readonly reason: string };

/** Header names lower-cased, as node:http gives them. */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyInput {
  readonly body: Buffer | string;
  readonly secret: string;
}

export function verifyGitHubSignature(input: VerifyInput & { readonly header: string | undefined }): WebhookAuth {
  if (!input.header) return fail('missing X-Hub-Signature-256 header');
  const match = /^sha256=([0-9a-f]{64})$/i.exec(input.header.trim());
  if (!match?.[1]) return fail('X-Hub-Signature-256 is not of the form sha256=<hex>');
  return hmacMatches(input, match[1]) ? { ok: true, forge: 'github' } : fail('signature does not match');
}

export function verifyGitLabToken(input: { readonly header: string | undefined; readonly secret: string }): WebhookAuth {
  if (!input.header) return fail('missing X-Gitlab-Token header');
  return safeEqualText(input.header, input.secret) ? { ok: true, forge: 'gitlab' } : fail('token does not match');
}

export function verifyGiteaSignature(input: VerifyInput & { readonly header: string | undefined }): WebhookAuth {
  if (!input.header) return fail('missing X-Gitea-Signature header');
  const hex = input.header.trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) return fail('X-Gitea-Signature is not a hex SHA-256 HMAC');
  return hmacMatches(input, hex) ? { ok: true, forge: 'gitea' } : fail('signature does not match');
}

/** Picks the scheme by the headers present; a request carrying none is refused. */
export function verifyWebhook(input: VerifyInput & { readonly headers: WebhookHeaders }): WebhookAuth {
  if (!input.secret) return fail('no webhook secret is configured');
  const gitea = header(input.headers, 'x-gitea-signature') ?? header(input.headers, 'x-forgejo-signature');
  if (gitea !== undefined) return verifyGiteaSignature({ ...input, header: gitea });
  const github = header(input.headers, 'x-hub-signature-256');
  if (github !== undefined) return verifyGitHubSignature({ ...input, header: github });
  const gitlab = header(input.headers, 'x-gitlab-token');
  if (gitlab !== undefined) return verifyGitLabToken({ header: gitlab, secret: input.secret });
  return fail('no signature header (X-Hub-Signature-256, X-Gitlab-Token or X-Gitea-Signature)');
}

/**
 * What can be decided from the headers alone, before reading any of the body: a request with no
 * signature header, or a GitLab token that does not match, is refused without costing a body read.
 */
export function precheckWebhook(input: { readonly headers: WebhookHeaders; readonly secret: string | undefined }): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  if (!input.secret) return { ok: false, reason: 'no webhook secret configured (--webhook-secret-file)' };
  if (header(input.headers, 'x-gitea-signature') ?? header(input.headers, 'x-forgejo-signature') ?? header(input.headers, 'x-hub-signature-256')) return { ok: true };
  const gitlab = header(input.headers, 'x-gitlab-token');
  if (gitlab !== undefined) return safeEqualText(gitlab, input.secret) ? { ok: true } : { ok: false, reason: 'token does not match' };
  return { ok: false, reason: 'no signature header (X-Hub-Signature-256, X-Gitlab-Token or X-Gitea-Signature)' };
}

export function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : value?.[0];
}

function hmacMatches(input: VerifyInput, hex: string): boolean {
  const expected = createHmac('sha256', input.secret).update(input.body).digest();
  return safeEqualBytes(expected, Buffer.from(hex, 'hex'));
}

function safeEqualBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

// Hash both sides first so the comparison takes the same time whatever the lengths.
function safeEqualText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

function fail(reason: string): WebhookAuth {
  return { ok: false, reason };
}
