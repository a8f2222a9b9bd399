// pods/binding sets spec.nodeName once (as the scheduler does), and a deleted pod's logs go with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, type Call } from './api-helper.js';
import { startKubeSim, type KubeSim } from './server.js';

let sim: KubeSim;
let call: Call;
const PODS = '/api/v1/namespaces/default/pods';
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
});

beforeAll(async () => {
  sim = await startKubeSim();
  call = caller(sim);
});
afterAll(async () => sim?.close());

describe('pods/binding', () => {
  it('binds an unbound pod once; a second binding is a 409', async () => {
    expect((await call('POST', PODS, { body: pod('bind-me') })).status).toBe(201);
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } };
    expect((await call('POST', `${PODS}/bind-me/binding`, { body: binding })).status).toBe(201);
    const got = await call('GET', `${PODS}/bind-me`);
    expect((got.body['spec'] as Record<string, unknown>)['nodeName']).toBe('node-a');
    const again = await call('POST', `${PODS}/bind-me/binding`, { body: { ...binding, target: { name: 'node-b' } } });
    expect(again.status).toBe(409);
    expect(again.body['message']).toContain('pod bind-me is already assigned to node "node-a"');
  });

  it('a plain update still may not change spec.nodeName', async () => {
    expect((await call('POST', PODS, { body: pod('no-sneaking') })).status).toBe(201);
    const res = await call('PATCH', `${PODS}/no-sneaking`, { body: { spec: { nodeName: 'node-x' } }, contentType: 'application/merge-patch+json' });
    expect(res.status).toBe(422);
  });
});

describe('pod logs', () => {
  it('are removed with the pod, so a pod re-created under the same name starts empty', async () => {
    expect((await call('POST', PODS, { body: pod('logger') })).status).toBe(201);
    sim.appendPodLog('default', 'logger', 'main', 'first run\n');
    expect((await fetchLog()).text).toBe('first run\n');
    expect((await call('DELETE', `${PODS}/logger`)).status).toBe(200);
    expect((await call('POST', PODS, { body: pod('logger') })).status).toBe(201);
    // Like a real kubelet: no logs yet for the new pod's container, and none of the old run's.
    const after = await fetchLog();
    expect(after.text).not.toContain('first run');
    expect(after.status).toBe(400);
    expect(after.text).toContain('container \\"main\\" in pod \\"logger\\" is waiting to start');
  });
});

async function fetchLog(): Promise<{ status: number; text: string }> {
  const res = await fetch(`${sim.url}${PODS}/logger/log?container=main`, { headers: { authorization: `Bearer ${sim.adminToken}` } });
  return { status: res.status, text: await res.text() };
}
