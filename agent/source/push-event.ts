// Reads just enough of a GitHub / GitLab / Gitea push payload to know which branch moved and to
// which sha, so that pushes to other branches (and pings, tags, other events) are ignored. Pure.
import { header, type WebhookForge, type WebhookHeaders } from './webhook-verify.js';

export type PushEvent =
  | {
      readonly kind: 'push';
      /** `main` for `refs/heads/main`. */
      readonly branch: string;
      /** New head sha; all zeros when the branch was deleted. */
      readonly after: string;
      readonly deleted: boolean;
    }
  | { readonly kind: 'ignored'; readonly reason: string };

const ZERO_SHA = /^0+$/;

export function parsePushEvent(input: { readonly forge: WebhookForge; readonly headers: WebhookHeaders; readonly body: Buffer | string }): PushEvent {
  const event = eventName(input.forge, input.headers);
  if (event !== undefined && !isPushEvent(input.forge, event)) return { kind: 'ignored', reason: `event ${event} is not a push` };
  let payload: unknown;
  try {
    payload = JSON.parse(typeof input.body === 'string' ? input.body : input.body.toString('utf8'));
  } catch {
    return { kind: 'ignored', reason: 'body is not JSON' };
  }
  if (typeof payload !== 'object' || payload === null) return { kind: 'ignored', reason: 'body is not a JSON object' };
  const p = payload as Record<string, unknown>;
  const ref = p['ref'];
  const after = p['after'];
  if (typeof ref !== 'string' || typeof after !== 'string') return { kind: 'ignored', reason: 'payload has no ref/after' };
  if (!ref.startsWith('refs/heads/')) return { kind: 'ignored', reason: `${ref} is not a branch` };
  return { kind: 'push', branch: ref.slice('refs/heads/'.length), after, deleted: ZERO_SHA.test(after) || p['deleted'] === true };
}

/** True when the event should trigger a fetch for `branch`. */
export function concernsBranch(event: PushEvent, branch: string): boolean {
  return event.kind === 'push' && event.branch === branch;
}

function eventName(forge: WebhookForge, headers: WebhookHeaders): string | undefined {
  if (forge === 'github') return header(headers, 'x-github-event');
  if (forge === 'gitlab') return header(headers, 'x-gitlab-event');
  return header(headers, 'x-gitea-event') ?? header(headers, 'x-forgejo-event');
}

function isPushEvent(forge: WebhookForge, event: string): boolean {
  return forge === 'gitlab' ? event === 'Push Hook' : event === 'push';
}
