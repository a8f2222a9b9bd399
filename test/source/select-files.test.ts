import { describe, expect, it } from 'vitest';
import { parseIgnoreFile } from '../../agent/source/ignore-rules.js';
import { selectPolicyFiles } from '../../agent/source/select-files.js';

const rules = parseIgnoreFile('drafts/\n');
const c = (path: string, size = 10) => ({ path, size });

describe('selectPolicyFiles (one rule for the Git source and the directory reader)', () => {
  it.each<[string, { path: string; size: number }[], { maxFileBytes?: number; maxRepoBytes?: number }, string[], string[]]>([
    ['YAML only, sorted, hidden, ignored and node_modules left out', [c('b.yaml'), c('a.yml'), c('README.md'), c('.x/a.yaml'), c('drafts/d.yaml'), c('node_modules/m.yaml')], {}, ['a.yml', 'b.yaml'], []],
    ['a file over the file limit is an error and is skipped', [c('a.yaml', 5), c('big.yaml', 50)], { maxFileBytes: 20 }, ['a.yaml'], ['big.yaml limit-file-size']],
    ['reading stops at the file that crosses the repository limit', [c('a.yaml', 8), c('b.yaml', 8), c('c.yaml', 8)], { maxRepoBytes: 20 }, ['a.yaml', 'b.yaml'], [' limit-repo-size']],
  ])('%s', (_name, candidates, limits, selected, errors) => {
    const out = selectPolicyFiles({ candidates, rules, limits, where: 'repository r', display: (p) => p });
    expect(out.selected.map((s) => s.path)).toEqual(selected);
    expect(out.errors.map((e) => `${e.file} ${e.code}`)).toEqual(errors);
  });
});
