// buildDesiredState as the next stages see it: resources with their source, or every problem
// at once (state empty), each at file:line:column; pure.
import { describe, expect, it } from 'vitest';
import { buildDesiredState, resourceHash } from '../../agent/desired/index.js';
import { DEFAULT_CALICO_VERSION, type SourceFile } from '../../agent/domain/index.js';

const build = (files: SourceFile[]) => buildDesiredState({ files, calicoVersion: DEFAULT_CALICO_VERSION });
const at = (r: ReturnType<typeof build>) => [...r.errors, ...r.warnings].map((i) => `${i.file}:${i.line}:${i.column} ${i.path} ${i.code}`);

const gns = (name: string) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: ${name}\nspec:\n  nets: [10.0.0.0/8]\n`;

describe('buildDesiredState', () => {
  it('returns resources keyed by kind/namespace/name with their source file, line and document', () => {
    const result = build([
      { path: 'b/two.yaml', content: `# comment\n\n${gns('second')}---\n\n${gns('third')}` },
      { path: 'a.yaml', content: gns('first') },
    ]);
    expect(result.errors).toEqual([]);
    expect([...result.state.resources.values()].map((r) => [r.key, r.source])).toEqual([
      ['GlobalNetworkSet//first', { file: 'a.yaml', line: 1, document: 0 }],
      ['GlobalNetworkSet//second', { file: 'b/two.yaml', line: 3, document: 0 }],
      ['GlobalNetworkSet//third', { file: 'b/two.yaml', line: 11, document: 1 }],
    ]);
  });

  it('gives each resource its content hash, also through spreading and JSON', () => {
    const [resource] = build([{ path: 'a.yaml', content: gns('x') }]).state.resources.values();
    expect(resource?.hash).toBe(resourceHash(resource!.manifest));
    expect({ ...resource }.hash).toBe(resource?.hash);
    expect((JSON.parse(JSON.stringify(resource)) as { hash: string }).hash).toBe(resource?.hash);
    expect(Object.keys(resource!)).toEqual(['key', 'kindId', 'manifest', 'source', 'hash']);
  });

  it('lists every problem of every file at once, sorted, and applies nothing', () => {
    const result = build([
      { path: 'z.yaml', content: gns('Bad_Name') },
      { path: 'ok.yaml', content: gns('fine') },
      { path: 'a.yaml', content: 'apiVersion: v1\nkind: Secret\n' },
    ]);
    expect(at(result)).toEqual(['a.yaml:2:7 kind kind', 'z.yaml:4:9 metadata.name name']);
    expect(result.state.resources.size).toBe(0);
  });

  it('keeps the state when there are only warnings', () => {
    const result = build([{ path: 'a.yaml', content: `${gns('x')}status: {}\n` }]);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['ignored-field']);
    expect(result.state.resources.size).toBe(1);
  });

  it.each([
    ['plain', "  selector: app = 'x'", 17],
    ['single-quoted scalar with doubled quotes before the error', "  selector: 'a == ''x'' && b = 1'", 30],
    ['double-quoted scalar', '  selector: "a == \'x\' && b = 1"', 28],
  ])('points a selector error inside a %s at the offending character', (_name, line, column) => {
    const content = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n${line}\n`;
    const [error] = build([{ path: 'p.yaml', content }]).errors;
    expect(error).toMatchObject({ code: 'selector', line: 6, column });
    // The "=" that should be "==".
    expect(line[column - 1]).toBe('=');
  });

  it('points at the start of a block scalar selector (no offset inside multi-line text)', () => {
    const content = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  selector: >-\n    app == 'a' &&\n    b = 1\n`;
    expect(at(build([{ path: 'p.yaml', content }]))).toEqual(['p.yaml:6:13 spec.selector selector']);
  });

  it('locates nodes in flow style and after anchors', () => {
    const content = `{apiVersion: projectcalico.org/v3, kind: GlobalNetworkSet, metadata: {name: x, lables: {}}, spec: {nets: &n [10.0.0.0/8, nope]}}\n`;
    expect(at(build([{ path: 'f.yaml', content }]))).toEqual(['f.yaml:1:80 metadata.lables unknown-field', 'f.yaml:1:122 spec.nets[1] cidr']);
  });

  it('reports duplicate mapping keys as YAML errors', () => {
    const content = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: x\n  name: y\n`;
    const [error] = build([{ path: 'd.yaml', content }]).errors;
    expect(error).toMatchObject({ line: 5, code: 'yaml' });
    expect(error?.message).toMatch(/duplicated mapping key/);
  });

  it('does not mutate its input and gives the same result twice', () => {
    const files = Object.freeze([Object.freeze({ path: 'a.yaml', content: gns('x') })]);
    const one = build([...files]);
    const two = build([...files]);
    expect(two).toEqual(one);
  });

  it('finds the line of a document that follows "..." without "---"', () => {
    const result = build([{ path: 'a.yaml', content: `${gns('a')}...\n# next\n${gns('b')}` }]);
    expect([...result.state.resources.values()].map((r) => [r.key, r.source.line, r.source.document])).toEqual([
      ['GlobalNetworkSet//a', 1, 0],
      ['GlobalNetworkSet//b', 9, 1],
    ]);
  });

  it.each([
    ['v3.28.0', ['kind-version']],
    ['v3.29.0', ['tier-prefix']],
    ['v3.31.2', ['tier-prefix']],
    ['v3.32.0', []],
  ])('applies the tier-prefixed name rule by Calico version (%s)', (version, codes) => {
    const tier = 'apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n';
    const policy = 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: no-prefix\nspec:\n  tier: security\n';
    const [major, minor, patch] = version.slice(1).split('.').map(Number) as [number, number, number];
    const result = buildDesiredState({ files: [{ path: 't.yaml', content: `${tier}---\n${policy}` }], calicoVersion: { major, minor, patch } });
    expect(result.errors.map((e) => e.code)).toEqual(codes);
  });

  it('ignores empty documents and a file of comments', () => {
    const result = build([
      { path: 'empty.yaml', content: '# nothing here\n' },
      { path: 'docs.yaml', content: `---\n---\n${gns('x')}...\n---\n` },
    ]);
    expect(result.errors).toEqual([]);
    expect([...result.state.resources.keys()]).toEqual(['GlobalNetworkSet//x']);
  });
});
