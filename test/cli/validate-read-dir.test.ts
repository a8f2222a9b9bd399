// readPolicyDir, the file selection behind `validate DIR` and `plan --dir`: real temp dirs.
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPolicyDir } from '../../agent/source/read-dir.js';

let dir: string;

async function put(rel: string, content = 'x: 1\n'): Promise<void> {
  await mkdir(dirname(join(dir, rel)), { recursive: true });
  await writeFile(join(dir, rel), content);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-dir-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readPolicyDir', () => {
  it('reads *.yaml and *.yml recursively, relative paths with "/", sorted', async () => {
    await put('z.yaml', 'z: 1\n');
    await put('a/b/c.yml');
    await put('a/readme.md');
    await put('a/policy.json');
    await put('A.YAML');
    const { files, issues } = await readPolicyDir(dir);
    expect(files.map((f) => f.path)).toEqual(['A.YAML', 'a/b/c.yml', 'z.yaml']);
    expect(files.find((f) => f.path === 'z.yaml')?.content).toBe('z: 1\n');
    expect(issues).toEqual([]);
  });

  it('skips hidden files and directories and node_modules', async () => {
    await put('.hidden.yaml');
    await put('.github/workflows/ci.yaml');
    await put('node_modules/pkg/x.yaml');
    await put('deep/node_modules/y.yaml');
    await put('keep.yaml');
    expect((await readPolicyDir(dir)).files.map((f) => f.path)).toEqual(['keep.yaml']);
  });

  it('honours .calico-gitops-ignore (directories, globs, paths, **, negation)', async () => {
    await put('.calico-gitops-ignore', '# comment\ndrafts/\n*.tmp.yaml\nhosts/lab.yaml\n**/generated/**\n!keep.tmp.yaml\n');
    for (const f of ['drafts/a.yaml', 'x.tmp.yaml', 'keep.tmp.yaml', 'hosts/lab.yaml', 'hosts/prod.yaml', 'ns/generated/g.yaml', 'ns/real.yaml', 'sub/drafts/b.yaml']) await put(f);
    expect((await readPolicyDir(dir)).files.map((f) => f.path)).toEqual(['hosts/prod.yaml', 'keep.tmp.yaml', 'ns/real.yaml']);
  });

  it('does not read oversized files and stops at the repository limit', async () => {
    await put('big.yaml', `# ${'x'.repeat(500)}\n`);
    await put('small.yaml');
    const sized = await readPolicyDir(dir, { limits: { maxFileBytes: 100 } });
    expect(sized.files.map((f) => f.path)).toEqual(['small.yaml']);
    expect(sized.issues.map((i) => [i.file, i.code, i.severity])).toEqual([['big.yaml', 'limit-file-size', 'error']]);

    const repo = await readPolicyDir(dir, { limits: { maxRepoBytes: 100 } });
    expect(repo.issues.map((i) => i.code)).toEqual(['limit-repo-size']);
    expect(repo.files).toEqual([]);
  });

  it('counts bytes, not characters, against the file limit', async () => {
    await put('accents.yaml', `# ${'é'.repeat(80)}\n`); // 80 two-byte characters
    const read = await readPolicyDir(dir, { limits: { maxFileBytes: 100 } });
    expect(read.issues.map((i) => [i.file, i.code])).toEqual([['accents.yaml', 'limit-file-size']]);
  });

  it('does not follow symbolic links', async () => {
    await put('real/a.yaml');
    await symlink(join(dir, 'real'), join(dir, 'linked-dir'));
    await symlink(join(dir, 'real', 'a.yaml'), join(dir, 'linked.yaml'));
    const { files, issues } = await readPolicyDir(dir);
    expect(files.map((f) => f.path)).toEqual(['real/a.yaml']);
    expect(issues.map((i) => [i.file, i.severity, i.code]).sort()).toEqual([
      ['linked-dir', 'error', 'symlink'],
      ['linked.yaml', 'error', 'symlink'],
    ]);
  });

  it('fails with a SourceError for a missing directory or a file', async () => {
    await expect(readPolicyDir(join(dir, 'missing'))).rejects.toMatchObject({ name: 'SourceError', code: 'not-found' });
    await put('file.yaml');
    await expect(readPolicyDir(join(dir, 'file.yaml'))).rejects.toMatchObject({ name: 'SourceError', message: expect.stringContaining('is not a directory') });
  });
});
