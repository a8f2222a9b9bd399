import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concernsBranch, parsePushEvent } from '../../agent/source/push-event.js';
import { checkWebhook } from '../../agent/source/webhook-check.js';
import {
  verifyGiteaSignature,
  verifyGitHubSignature,
  verifyGitLabToken,
  verifyWebhook,
  type WebhookHeaders,
  precheckWebhook,
} from '../../agent/source/webhook-verify.js';

const SECRET = 'hook-s3cret';
const BODY = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40) });
const hex = (body: string, secret = SECRET): string => createHmac('sha256', secret).update(body).digest('hex');

describe('verifyGitHubSignature', () => {
  it.each([
    ['valid', `sha256=${hex(BODY)}`, BODY, true, undefined],
    ['valid, upper-case hex', `sha256=${hex(BODY).toUpperCase()}`, BODY, true, undefined],
    ['missing', undefined, BODY, false, 'missing X-Hub-Signature-256 header'],
    ['no prefix', hex(BODY), BODY, false, 'X-Hub-Signature-256 is not of the form sha256=<hex>'],
    ['sha1 form', `sha1=${'0'.repeat(40)}`, BODY, false, 'X-Hub-Signature-256 is not of the form sha256=<hex>'],
    ['wrong secret', `sha256=${hex(BODY, 'other')}`, BODY, false, 'signature does not match'],
    ['body changed', `sha256=${hex(BODY)}`, `${BODY} `, false, 'signature does not match'],
  ])('%s', (_name, header, body, ok, reason) => {
    const result = verifyGitHubSignature({ header, body: Buffer.from(body), secret: SECRET });
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.reason).toBe(reason);
  });
});

describe('verifyGitLabToken', () => {
  it.each([
    ['equal', SECRET, true],
    ['different', 'hook-s3creT', false],
    ['prefix', 'hook', false],
    ['longer', `${SECRET}x`, false],
    ['missing', undefined, false],
  ])('%s', (_name, header, ok) => {
    expect(verifyGitLabToken({ header, secret: SECRET }).ok).toBe(ok);
  });
});

describe('verifyGiteaSignature', () => {
  it.each([
    ['valid', hex(BODY), true],
    ['with a sha256= prefix (GitHub form)', `sha256=${hex(BODY)}`, false],
    ['wrong secret', hex(BODY, 'x'), false],
    ['not hex', 'zz', false],
    ['missing', undefined, false],
  ])('%s', (_name, header, ok) => {
    expect(verifyGiteaSignature({ header, body: BODY, secret: SECRET }).ok).toBe(ok);
  });
});

describe('verifyWebhook', () => {
  it.each<[string, WebhookHeaders, string | false]>([
    ['GitHub', { 'x-hub-signature-256': `sha256=${hex(BODY)}`, 'x-github-event': 'push' }, 'github'],
    ['GitLab', { 'x-gitlab-token': SECRET }, 'gitlab'],
    ['Gitea (also sends the GitHub header)', { 'x-gitea-signature': hex(BODY), 'x-hub-signature-256': `sha256=${hex(BODY)}` }, 'gitea'],
    ['Forgejo', { 'x-forgejo-signature': hex(BODY) }, 'gitea'],
    ['no headers', {}, false],
    ['bad GitHub signature', { 'x-hub-signature-256': `sha256=${hex('x')}` }, false],
  ])('%s', (_name, headers, forge) => {
    const result = verifyWebhook({ headers, body: BODY, secret: SECRET });
    if (forge === false) expect(result.ok).toBe(false);
    else expect(result).toEqual({ ok: true, forge });
  });

  it('refuses everything when no secret is configured', () => {
    expect(verifyWebhook({ headers: { 'x-gitlab-token': '' }, body: BODY, secret: '' }).ok).toBe(false);
  });

  it('never mentions the secret in a reason', () => {
    const result = verifyWebhook({ headers: { 'x-gitlab-token': 'guess' }, body: BODY, secret: SECRET });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});

describe('parsePushEvent', () => {
  const sha = 'b'.repeat(40);
  it.each<[string, 'github' | 'gitlab' | 'gitea', WebhookHeaders, unknown, unknown]>([
    ['GitHub push', 'github', { 'x-github-event': 'push' }, { ref: 'refs/heads/main', after: sha }, { kind: 'push', branch: 'main', after: sha, deleted: false }],
    ['GitHub ping', 'github', { 'x-github-event': 'ping' }, { zen: 'x' }, { kind: 'ignored', reason: 'event ping is not a push' }],
    ['GitHub tag', 'github', { 'x-github-event': 'push' }, { ref: 'refs/tags/v1', after: sha }, { kind: 'ignored', reason: 'refs/tags/v1 is not a branch' }],
    ['GitHub branch deleted', 'github', { 'x-github-event': 'push' }, { ref: 'refs/heads/main', after: '0'.repeat(40), deleted: true }, { kind: 'push', branch: 'main', after: '0'.repeat(40), deleted: true }],
    ['GitLab push', 'gitlab', { 'x-gitlab-event': 'Push Hook' }, { object_kind: 'push', ref: 'refs/heads/release/1', after: sha }, { kind: 'push', branch: 'release/1', after: sha, deleted: false }],
    ['GitLab tag push', 'gitlab', { 'x-gitlab-event': 'Tag Push Hook' }, { ref: 'refs/tags/v1', after: sha }, { kind: 'ignored', reason: 'event Tag Push Hook is not a push' }],
    ['Gitea push', 'gitea', { 'x-gitea-event': 'push' }, { ref: 'refs/heads/main', after: sha }, { kind: 'push', branch: 'main', after: sha, deleted: false }],
    ['no ref', 'gitea', {}, { after: sha }, { kind: 'ignored', reason: 'payload has no ref/after' }],
  ])('%s', (_name, forge, headers, body, expected) => {
    expect(parsePushEvent({ forge, headers, body: JSON.stringify(body) })).toEqual(expected);
  });

  it('ignores a body that is not JSON', () => {
    expect(parsePushEvent({ forge: 'github', headers: {}, body: 'nope' })).toEqual({ kind: 'ignored', reason: 'body is not JSON' });
  });

  it.each([
    ['main', true],
    ['dev', false],
  ])('concernsBranch(push to main, %s) is %s', (branch, expected) => {
    expect(concernsBranch({ kind: 'push', branch: 'main', after: sha, deleted: false }, branch)).toBe(expected);
  });
});

describe('checkWebhook', () => {
  const sign = (body: string): WebhookHeaders => ({ 'x-hub-signature-256': `sha256=${hex(body)}`, 'x-github-event': 'push' });
  const push = (ref: string): string => JSON.stringify({ ref, after: 'c'.repeat(40) });
  it.each<[string, WebhookHeaders, string, unknown]>([
    ['push to the followed branch', sign(push('refs/heads/main')), push('refs/heads/main'), { ok: true, relevant: true, forge: 'github', after: 'c'.repeat(40) }],
    ['push to another branch', sign(push('refs/heads/dev')), push('refs/heads/dev'), { ok: true, relevant: false, forge: 'github', note: 'push to dev, following main' }],
    ['bad signature', sign('other'), push('refs/heads/main'), { ok: false, reason: 'signature does not match' }],
  ])('%s', (_name, headers, body, expected) => {
    expect(checkWebhook({ headers, body, secret: SECRET, branch: 'main' })).toEqual(expected);
  });
});

describe('precheckWebhook (headers only, before the body is read)', () => {
  it.each([
    ['no secret configured', { 'x-hub-signature-256': 'sha256=00' }, undefined, false],
    ['no signature header', { 'content-type': 'application/json' }, 's3cret', false],
    ['a GitHub signature header (checked with the body later)', { 'x-hub-signature-256': 'sha256=00' }, 's3cret', true],
    ['a Gitea signature header', { 'x-gitea-signature': 'ab' }, 's3cret', true],
    ['a Forgejo signature header', { 'x-forgejo-signature': 'ab' }, 's3cret', true],
    ['a matching GitLab token', { 'x-gitlab-token': 's3cret' }, 's3cret', true],
    ['a wrong GitLab token', { 'x-gitlab-token': 'guess' }, 's3cret', false],
  ])('%s → %s', (_what, headers, secret, ok) => {
    expect(precheckWebhook({ headers, secret }).ok).toBe(ok);
  });
});
