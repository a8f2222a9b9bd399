import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveGitAuth } from '../../agent/source/git-auth.js';
import { redactText, redactUrl } from '../../agent/domain/redact.js';
import { cleanupGitFixtures, makeTempDir } from '../support/git-fixtures.js';

afterAll(cleanupGitFixtures);

describe('resolveGitAuth', () => {
  it.each([
    ['no credentials', undefined, { envConfig: [], env: {}, secrets: [] }],
    [
      'token, Basic (default user)',
      { kind: 'token', token: 'tok123' },
      { envConfig: [{ key: 'http.extraHeader', value: `Authorization: Basic ${Buffer.from('x-access-token:tok123').toString('base64')}` }], env: {}, secrets: ['tok123', Buffer.from('x-access-token:tok123').toString('base64')] },
    ],
    [
      'token, Basic for GitLab',
      { kind: 'token', token: 'tok123', username: 'oauth2' },
      { envConfig: [{ key: 'http.extraHeader', value: `Authorization: Basic ${Buffer.from('oauth2:tok123').toString('base64')}` }], env: {}, secrets: ['tok123', Buffer.from('oauth2:tok123').toString('base64')] },
    ],
    ['token, Bearer', { kind: 'token', token: 'tok123', scheme: 'bearer' }, { envConfig: [{ key: 'http.extraHeader', value: 'Authorization: Bearer tok123' }] }],
    ['empty token means none', { kind: 'token', token: '  ' }, { envConfig: [], env: {}, secrets: [] }],
    [
      'ssh key with known_hosts',
      { kind: 'ssh', keyFile: '/etc/git/key', knownHostsFile: '/etc/git/known hosts' },
      { envConfig: [], env: { GIT_SSH_COMMAND: `ssh -i '/etc/git/key' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=2 -o 'UserKnownHostsFile=/etc/git/known hosts'` } },
    ],
    [
      'ssh key, trust on first use',
      { kind: 'ssh', keyFile: "/k/it's", strictHostKeyChecking: 'accept-new' },
      { env: { GIT_SSH_COMMAND: `ssh -i '/k/it'\\''s' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=30 -o ServerAliveInterval=15 -o ServerAliveCountMax=2` } },
    ],
  ] as const)('%s', async (_name, credentials, expected) => {
    expect(await resolveGitAuth(credentials)).toMatchObject(expected);
  });

  it('reads the token file on every call (rotation)', async () => {
    const file = join(await makeTempDir(), 'token');
    await writeFile(file, 'first\n');
    expect((await resolveGitAuth({ kind: 'token', tokenFile: file, scheme: 'bearer' })).envConfig).toEqual([{ key: 'http.extraHeader', value: 'Authorization: Bearer first' }]);
    await writeFile(file, 'second');
    expect((await resolveGitAuth({ kind: 'token', tokenFile: file, scheme: 'bearer' })).envConfig).toEqual([{ key: 'http.extraHeader', value: 'Authorization: Bearer second' }]);
  });
});

describe('redaction', () => {
  it.each([
    ['https://user:tok@github.com/a/b.git', 'https://***@github.com/a/b.git'],
    ['https://tok@github.com/a/b.git', 'https://***@github.com/a/b.git'],
    ['https://github.com/a/b.git', 'https://github.com/a/b.git'],
    ['git@github.com:a/b.git', 'git@github.com:a/b.git'],
    ['file:///tmp/x.git', 'file:///tmp/x.git'],
  ])('redactUrl(%s)', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('redactText removes URL user-info and secrets anywhere', () => {
    expect(redactText("fatal: unable to access 'https://u:p@h/x/': 401 for tok123 and tok123", ['tok123'])).toBe("fatal: unable to access 'https://***@h/x/': 401 for *** and ***");
  });
});
