import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClients } from '../../agent/kube/client.js';
import { ConfigError } from '../../agent/domain/errors.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-client-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters:
  - name: one
    cluster: { server: "${server}" }
  - name: two
    cluster: { server: "https://10.0.0.2:6443", insecure-skip-tls-verify: true }
users:
  - name: u
    user: { token: secret-token-value }
contexts:
  - name: first
    context: { cluster: one, user: u }
  - name: second
    context: { cluster: two, user: u }
current-context: first
`;

describe('createKubeClients', () => {
  it.each([
    ['http://127.0.0.1:8080', undefined, 'http://127.0.0.1:8080'],
    ['https://10.0.0.1:6443', undefined, 'https://10.0.0.1:6443'],
    ['https://10.0.0.1:6443', 'second', 'https://10.0.0.2:6443'],
  ])('server %s, context %s → %s', async (server, context, want) => {
    const file = join(dir, 'config');
    await writeFile(file, kubeconfig(server));
    const clients = createKubeClients({ kubeconfig: file, ...(context ? { context } : {}) });
    expect(clients.server).toBe(want);
    // Plain-HTTP servers are usable (client-node would otherwise refuse them outright).
    if (want.startsWith('http:')) expect(clients.config.getCurrentCluster()?.skipTLSVerify).toBe(true);
  });

  it.each([
    ['a missing file', { kubeconfig: '/nonexistent/kubeconfig' }, /cannot load kubeconfig \/nonexistent\/kubeconfig/],
    ['an unknown context', { context: 'third' }, /no context "third" \(known: first, second\)/],
  ])('throws a ConfigError for %s', async (_name, options, message) => {
    const file = join(dir, 'config');
    await writeFile(file, kubeconfig('https://10.0.0.1:6443'));
    let thrown: unknown;
    try {
      createKubeClients({ kubeconfig: file, ...options });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('secret-token-value');
  });
});
