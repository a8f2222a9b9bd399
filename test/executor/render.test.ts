import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { batchesFor } from '../../agent/executor/batches.js';
import { renderBatches } from '../../agent/executor/render.js';
import { step } from './steps.js';

const bigSpec = (n: number) => ({ selector: `app == '${'x'.repeat(n)}'` });

describe('renderBatches', () => {
  it('renders one multi-document file per batch with the manifests as written', () => {
    const steps = [step('create', 'Tier', 't'), step('create', 'KubernetesNetworkPolicy', 'k', 'n', { podSelector: {} })];
    const { parts, configMaps, problems } = renderBatches({ batches: batchesFor(steps) });
    expect(problems).toEqual([]);
    expect(parts.map((p) => [p.file, p.configMap])).toEqual([
      ['000-calicoctl-apply.yaml', 0],
      ['001-kubectl-apply.yaml', 0],
    ]);
    expect(configMaps).toHaveLength(1);
    const docs = loadAll(configMaps[0]?.['001-kubectl-apply.yaml'] ?? '');
    expect(docs).toEqual([steps[1]?.manifest]);
  });

  it('sends only the identity for deletes', () => {
    const { parts } = renderBatches({ batches: batchesFor([step('delete', 'NetworkPolicy', 'p', 'n', { selector: 'all()' })]) });
    expect(load(parts[0]?.content ?? '')).toEqual({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'n' } });
  });

  it.each([
    // [documents, size of each selector, budget, expected files per ConfigMap]
    [3, 100, 10_000, [1]],
    [10, 1_000, 2_500, [1, 1, 1, 1, 1]],
    [10, 1_000, 5_000, [1, 1, 1]],
  ])('%i documents of ~%i bytes under a %i byte budget', (count, size, max, perConfigMap) => {
    const steps = Array.from({ length: count }, (_, i) => step('create', 'GlobalNetworkPolicy', `p${i}`, undefined, bigSpec(size)));
    const { parts, configMaps } = renderBatches({ batches: batchesFor(steps), maxConfigMapBytes: max });
    expect(configMaps.map((cm) => Object.keys(cm).length)).toEqual(perConfigMap);
    for (const cm of configMaps) expect(Buffer.byteLength(Object.values(cm).join(''))).toBeLessThanOrEqual(max);
    // Every resource exactly once, in plan order.
    expect(parts.flatMap((p) => p.steps.map((s) => s.manifest.metadata.name))).toEqual(steps.map((s) => s.manifest.metadata.name));
    const names = parts.flatMap((p) => (loadAll(p.content) as { metadata: { name: string } }[]).map((d) => d.metadata.name));
    expect(names).toEqual(steps.map((s) => s.manifest.metadata.name));
  });

  it('reports a resource that cannot fit any ConfigMap instead of dropping it silently', () => {
    const steps = [step('create', 'GlobalNetworkPolicy', 'huge', undefined, bigSpec(5_000)), step('create', 'GlobalNetworkPolicy', 'ok')];
    const { parts, problems } = renderBatches({ batches: batchesFor(steps), maxConfigMapBytes: 2_000 });
    expect(problems).toEqual([{ key: 'GlobalNetworkPolicy//huge', message: expect.stringContaining('exceeds the ConfigMap budget') }]);
    expect(parts.flatMap((p) => p.steps.map((s) => s.key))).toEqual(['GlobalNetworkPolicy//ok']);
  });

  it('stays under the real 1 MiB limit for 1,000 policies', () => {
    const steps = Array.from({ length: 1_000 }, (_, i) => step('create', 'NetworkPolicy', `p${i}`, 'n', bigSpec(2_000)));
    const { configMaps } = renderBatches({ batches: batchesFor(steps) });
    expect(configMaps.length).toBeGreaterThan(1);
    for (const cm of configMaps) expect(Buffer.byteLength(Object.values(cm).join(''))).toBeLessThan(1024 * 1024 - 64 * 1024);
  });
});
