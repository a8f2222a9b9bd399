// Incremental re-parse: a file whose blob did not change keeps its parse from the previous revision,
// and the result is the same as a fresh build.
import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../agent/desired/index.js';
import { DEFAULT_CALICO_VERSION } from '../../agent/domain/calico-version.js';
import type { SnapshotFile } from '../../agent/domain/source-snapshot.js';

const gnp = (name: string, order: number) =>
  `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  order: ${order}\n  selector: all()\n  ingress:\n    - action: Allow\n      protocol: TCP\n      destination:\n        ports: [22]\n`;
const file = (path: string, content: string, blob: string): SnapshotFile => ({ path, content, blob });
const plain = (r: ReturnType<typeof buildDesiredState>) => ({
  errors: r.errors,
  warnings: r.warnings,
  resources: [...r.state.resources.values()].map((d) => ({ ...d })),
});

describe('parse cache', () => {
  const calicoVersion = DEFAULT_CALICO_VERSION;
  const a = file('a.yaml', gnp('a', 10), 'blob-a1');
  const b1 = file('b.yaml', gnp('b', 20), 'blob-b1');
  const b2 = file('b.yaml', gnp('b', 21), 'blob-b2');

  it('reuses the parse of unchanged blobs and gives the same result as a fresh build', () => {
    const first = buildDesiredState({ files: [a, b1], calicoVersion });
    const second = buildDesiredState({ files: [a, b2], calicoVersion, parseCache: first.parsed });
    expect(second.parsed.get('a.yaml\0blob-a1')).toBe(first.parsed.get('a.yaml\0blob-a1'));
    expect(second.parsed.get('b.yaml\0blob-b2')).not.toBe(first.parsed.get('b.yaml\0blob-b1'));
    expect(second.parsed.has('b.yaml\0blob-b1')).toBe(false);
    expect(plain(second)).toEqual(plain(buildDesiredState({ files: [a, b2], calicoVersion })));
  });

  it('does not let a cached parse be changed by validation (a third build still matches)', () => {
    const first = buildDesiredState({ files: [a, b1], calicoVersion });
    const second = buildDesiredState({ files: [a, b1], calicoVersion, parseCache: first.parsed });
    const third = buildDesiredState({ files: [a, b1], calicoVersion, parseCache: second.parsed });
    expect(plain(third)).toEqual(plain(first));
  });

  it('keys by path too: the same blob at another path is parsed for that path', () => {
    const first = buildDesiredState({ files: [a], calicoVersion });
    const moved = file('moved/a.yaml', a.content, a.blob);
    const second = buildDesiredState({ files: [moved], calicoVersion, parseCache: first.parsed });
    expect([...second.state.resources.values()][0]?.source.file).toBe('moved/a.yaml');
  });

  it('files without a blob (a plain directory) are not cached', () => {
    const result = buildDesiredState({ files: [{ path: 'a.yaml', content: a.content }], calicoVersion });
    expect(result.parsed.size).toBe(0);
  });
});
