// Simulator throughput: creating, listing, watching and deleting Calico objects over real HTTP,
// so tests and the demo know what load the simulator takes (`npm run bench -- kube-sim`).
import { performance } from 'node:perf_hooks';
import { startKubeSim } from '../../test/kube-sim/server.js';

const N = 2000;
const CONCURRENCY = 8;
const GNP = '/apis/crd.projectcalico.org/v1/globalnetworkpolicies';

async function pool(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

export async function run(): Promise<Record<string, unknown>> {
  const sim = await startKubeSim();
  const headers = { Authorization: `Bearer ${sim.adminToken}`, 'Content-Type': 'application/json' };
  try {
    let watched = 0;
    const ac = new AbortController();
    const watch = fetch(`${sim.url}${GNP}?watch=1`, { headers, signal: ac.signal }).then(async (res) => {
      const reader = res.body?.getReader();
      const dec = new TextDecoder();
      for (;;) {
        const r = await reader?.read();
        if (!r || r.done) return;
        watched += (dec.decode(r.value).match(/\n/g) ?? []).length;
      }
    }).catch(() => undefined);

    const t0 = performance.now();
    await pool(N, async (i) => {
      const body = { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: `default.p${i}`, labels: { i: String(i % 10) } }, spec: { selector: 'all()', order: i } };
      const res = await fetch(`${sim.url}${GNP}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`create ${i}: ${res.status}`);
      await res.arrayBuffer();
    });
    const createMs = performance.now() - t0;

    const t1 = performance.now();
    const list = (await (await fetch(`${sim.url}${GNP}`, { headers })).json()) as { items: unknown[] };
    const listMs = performance.now() - t1;
    const t2 = performance.now();
    const sel = (await (await fetch(`${sim.url}${GNP}?labelSelector=i%3D3`, { headers })).json()) as { items: unknown[] };
    const selectorMs = performance.now() - t2;

    const t3 = performance.now();
    await pool(N, async (i) => {
      const res = await fetch(`${sim.url}${GNP}/default.p${i}`, { method: 'DELETE', headers });
      await res.arrayBuffer();
    });
    const deleteMs = performance.now() - t3;
    const deadline = Date.now() + 5000;
    while (watched < 2 * N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await watch;
    return {
      objects: N,
      concurrency: CONCURRENCY,
      createPerSecond: Math.round((N / createMs) * 1000),
      listAllMs: Math.round(listMs),
      listed: list.items.length,
      labelSelectorMs: Math.round(selectorMs),
      selected: sel.items.length,
      deletePerSecond: Math.round((N / deleteMs) * 1000),
      watchEventsSeen: watched,
    };
  } finally {
    await sim.close();
  }
}
