// The whole webhook decision in one pure call, shaped for agent/http's `verifyWebhook` handler:
// a bad signature is refused; a verified push to another branch (or a ping) is accepted but not
// relevant, so nothing else happens.
import { concernsBranch, parsePushEvent } from './push-event.js';
import { verifyWebhook, type WebhookForge, type WebhookHeaders } from './webhook-verify.js';

export type WebhookCheck =
  | { readonly ok: true; readonly relevant: boolean; readonly note?: string; readonly forge: WebhookForge; readonly after?: string }
  | { readonly ok: false; readonly reason: string };

export function checkWebhook(input: {
  readonly headers: WebhookHeaders;
  readonly body: Buffer | string;
  readonly secret: string;
  /** The branch the agent follows. */
  readonly branch: string;
}): WebhookCheck {
  const verified = verifyWebhook(input);
  if (!verified.ok) return verified;
  const event = parsePushEvent({ forge: verified.forge, headers: input.headers, body: input.body });
  if (event.kind === 'ignored') return { ok: true, relevant: false, note: event.reason, forge: verified.forge };
  if (!concernsBranch(event, input.branch)) {
    return { ok: true, relevant: false, note: `push to ${event.branch}, following ${input.branch}`, forge: verified.forge };
  }
  return { ok: true, relevant: true, forge: verified.forge, after: event.after };
}
