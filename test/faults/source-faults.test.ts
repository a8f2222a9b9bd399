// Faults on the source side, each during a sync: the Git host unreachable then back, a force-push
// that rewrites the history, a repository that becomes empty, forged and replayed webhooks, and a
// corpus of hostile files. The cluster ends equal to what the repository allows, each change is
// audited once, the agent keeps running.
import { createHmac } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/agent-harness.js';
import { cleanupGitFixtures, makeTempDir, samplePolicyYaml } from '../support/git-fixtures.js';
import { change, startFaultRig, type FaultRig } from './rig.js';

const SECRET = 'fault-suite-hook-secret';
let rig: FaultRig;
let hookUrl: string;
const present = new Set(['base']);

beforeAll(async () => {
  const dir = await makeTempDir('cg-hook-');
  const secretFile = join(dir, 'secret');
  await writeFile(secretFile, SECRET);
  // A long poll: only webhooks (and the fault under test) drive these syncs.
  rig = await startFaultRig({ files: { 'base.yaml': samplePolicyYaml('base', { order: 1 }) }, flags: { webhookSecretFile: secretFile, pollInterval: '2s' } });
  const agent = await rig.startAgent({ http: true });
  hookUrl = `${agent.url ?? ''}/hooks/git`;
  await rig.converged({ sha: rig.firstSha, fault: 'none (first sync)', injected: 0, policies: ['base'], changes: [change('create', 'base')] });
}, 120_000);

afterAll(async () => {
  await rig?.stop();
  await cleanupGitFixtures();
}, 60_000);

function pushBody(after: string): string {
  return JSON.stringify({ ref: 'refs/heads/main', after, repository: { full_name: 'acme/policies' } });
}

async function hook(body: string, signature: string | undefined): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'delivery-1' };
  if (signature !== undefined) headers['x-hub-signature-256'] = signature;
  return (await fetch(hookUrl, { method: 'POST', headers, body })).status;
}

const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('source faults', () => {
  it('the Git host unreachable, then back', async () => {
    const moved = `${rig.remote.dir}.away`;
    const before = rig.logs.length;
    await rename(rig.remote.dir, moved);
    // The agent fails to fetch (the commit cannot be known yet) and keeps cycling.
    await eventually('a failed fetch', async () => (rig.logs.slice(before).some((l) => l.includes('"level":50') || l.includes('"level":40')) ? true : undefined));
    await rename(moved, rig.remote.dir);
    const sha = await rig.work.commitAndPush({ files: { 'after-outage.yaml': samplePolicyYaml('after-outage', { order: 20 }) }, message: 'after the outage' });
    present.add('after-outage');
    await rig.converged({ sha, fault: 'Git host unreachable then back', injected: 1, policies: [...present], changes: [change('create', 'after-outage')] });
  });

  it('a force-push that drops a commit the agent already applied', async () => {
    const parent = await rig.work.head();
    const dropped = await rig.work.commitAndPush({ files: { 'doomed.yaml': samplePolicyYaml('doomed', { order: 30 }) }, message: 'to be rewritten' });
    await rig.converged({ sha: dropped, fault: 'none (before force-push)', injected: 0, policies: [...present, 'doomed'], changes: [change('create', 'doomed')] });
    await rig.work.resetHard(parent);
    const sha = await rig.work.commit({ files: { 'rewritten.yaml': samplePolicyYaml('rewritten', { order: 31 }) }, message: 'rewritten history\n\nCalico-GitOps-Allow-Delete: 1\n' });
    await rig.work.push({ force: true });
    present.add('rewritten');
    await rig.converged({ sha, fault: 'force-push', injected: 1, policies: [...present], changes: [change('create', 'rewritten'), change('delete', 'doomed')] });
  });

  it('forged webhooks are refused and change nothing; a replayed one applies once', async () => {
    const sha = await rig.work.commit({ files: { 'hooked.yaml': samplePolicyYaml('hooked', { order: 40 }) }, message: 'hooked' });
    await rig.work.push();
    const body = pushBody(sha);
    const forged = [
      await hook(body, undefined),
      await hook(body, sign(body, 'not-the-secret')),
      await hook(body, sign(pushBody('0'.repeat(40)))),
      await hook(`${body} `, sign(body)),
    ];
    expect(forged).toEqual([401, 401, 401, 401]);
    // The same signed delivery, five times.
    const replays = await Promise.all(Array.from({ length: 5 }, () => hook(body, sign(body))));
    expect(replays).toEqual([202, 202, 202, 202, 202]);
    present.add('hooked');
    await rig.converged({ sha, fault: 'forged and replayed webhooks', injected: forged.length + replays.length - 1, policies: [...present], changes: [change('create', 'hooked')] });
  });

  it('a repository that becomes empty deletes nothing until allowed, then everything once', async () => {
    // A plan that deletes every owned object is held from two objects on (one delete is always
    // within budget): run alone this test would own only `base`, so it adds a second.
    const second = await rig.work.commitAndPush({ files: { 'also-owned.yaml': samplePolicyYaml('also-owned', { order: 50 }) }, message: 'add also-owned' });
    present.add('also-owned');
    await rig.converged({ sha: second, fault: 'none (before emptying)', injected: 0, policies: [...present], changes: [change('create', 'also-owned')] });
    const files = Object.fromEntries(
      (await rig.work.git(['ls-files'])).split('\n').filter(Boolean).map((f) => [f, null]),
    );
    const sha = await rig.work.commitAndPush({ files, message: 'empty the repository' });
    const held = await eventually('the plan held', async () => {
      const s = await rig.status(sha, 'apply');
      return s?.state === 'pending' ? s : undefined;
    });
    expect(held.description).toMatch(/delete/i);
    expect(await rig.policies()).toEqual([...present].sort());
    const allowed = await rig.work.commitAndPush({ allowEmpty: true, message: `allow it\n\nCalico-GitOps-Allow-Delete: ${present.size}\n` });
    const deletes = [...present].map((n) => change('delete', n));
    present.clear();
    await rig.converged({ sha: allowed, fault: 'repository became empty', injected: 1, policies: [], changes: deletes });
  });
});

/** Hostile files: each one a commit; rejected with a position, nothing applied, the agent goes on. */
/** `true` when the problem is the whole file (too large): the status names the file, there is no line. */
const HOSTILE: [string, string, boolean?][] = [
  ['alias bomb', ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n')],
  ['deep nesting', `${'['.repeat(5_000)}${']'.repeat(5_000)}\n`],
  ['a file over 1 MiB', `# ${'x'.repeat(1_100_000)}\n`, true],
  ['NUL bytes', `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: nul\0\n`],
  ['a JavaScript tag', `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: !!js/function "function () { return 1 }"\n`],
  ['a Secret in the policy repository', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: default\ndata:\n  token: c2VjcmV0\n`],
  ['a duplicated key', `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: dup\n  name: dup2\nspec:\n  selector: all()\n`],
  ['10,000 empty documents', Array.from({ length: 10_001 }, () => '---').join('\n')],
];

describe('the hostile-input corpus', () => {
  it.each(HOSTILE)('%s: rejected with file:line, nothing applied, the next good commit applies', async (fault, content, wholeFile) => {
    const before = await rig.policies();
    const bad = await rig.work.commitAndPush({ files: { 'hostile.yaml': content }, message: `hostile: ${fault}` });
    const status = await eventually(`validate failure for ${fault}`, async () => {
      const s = await rig.status(bad, 'validate');
      return s?.state === 'failure' ? s : undefined;
    });
    expect(status.description).toMatch(wholeFile ? /hostile\.yaml/ : /hostile\.yaml:\d+/);
    expect(await rig.status(bad, 'apply')).toBeUndefined();
    expect(await rig.policies()).toEqual(before);
    const name = `after-${fault.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/^-|-$/g, '')}`.slice(0, 60);
    const good = await rig.work.commitAndPush({ files: { 'hostile.yaml': null, [`${name}.yaml`]: samplePolicyYaml(name, { order: 60 }) }, message: `fix: ${fault}` });
    present.add(name);
    await rig.converged({ sha: good, fault: `hostile input: ${fault}`, injected: 1, policies: [...present], changes: [change('create', name)] });
  });
});
