// `npm run bench -- validate`: buildDesiredState against a bare js-yaml loadAll of the same
// files, at 100, 1,000 and 10,000 resources. Target: validate <= 2x the bare parse at 10,000,
// growing linearly (ms per policy roughly flat). Medians of alternating runs after a warm-up;
// `ratio` is the median of the per-pair ratios. Reading every content hash (lazy) is
// measured apart as hashAllMs, and ratioWithHashes includes it.
import yaml from 'js-yaml';
import { performance } from 'node:perf_hooks';
import { buildDesiredState } from '../../agent/desired/index.js';
import { DEFAULT_CALICO_VERSION, type SourceFile } from '../../agent/domain/index.js';
import { generatePolicies } from './generate-policies.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function timeOnce(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/**
 * Alternates the two measurements so both see the same machine load (the benchmark shares its
 * cores), after warming both up for at least `warmMs` so the JIT has settled.
 */
function pairedTimes(a: () => void, b: () => void, o: { runs: number; warmMs: number }): { a: number; b: number; ratio: number } {
  const warmUntil = performance.now() + o.warmMs;
  do {
    a();
    b();
  } while (performance.now() < warmUntil);
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    const ta = timeOnce(a);
    const tb = timeOnce(b);
    as.push(ta);
    bs.push(tb);
    ratios.push(tb / ta);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

export async function run(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const variants: { name: string; count: number; documentsPerFile?: number }[] = [
    { name: '100', count: 100 },
    { name: '1000', count: 1_000 },
    { name: '10000', count: 10_000 },
    // The same policies packed 50 documents to a file (the parse then needs its listener).
    { name: '10000-multi-document', count: 10_000, documentsPerFile: 50 },
  ];
  for (const { name, count, documentsPerFile } of variants) {
    const files: SourceFile[] = generatePolicies({ count, ...(documentsPerFile ? { documentsPerFile } : {}) });
    const bytes = files.reduce((n, f) => n + f.content.length, 0);
    let resources = 0;
    let errors = 0;
    const times = pairedTimes(
      () => {
        for (const f of files) yaml.loadAll(f.content);
      },
      () => {
        const result = buildDesiredState({ files, calicoVersion: DEFAULT_CALICO_VERSION });
        resources = result.state.resources.size;
        errors = result.errors.length;
      },
      { runs: count >= 10_000 ? 7 : 15, warmMs: 500 },
    );
    const parseMs = times.a;
    const validateMs = times.b;
    // Content hashes are computed on first read (planning reads them all); measured apart.
    const hashSamples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const state = buildDesiredState({ files, calicoVersion: DEFAULT_CALICO_VERSION }).state;
      hashSamples.push(timeOnce(() => {
        for (const r of state.resources.values()) void r.hash;
      }));
    }
    const hashMs = median(hashSamples);
    out[name] = {
      files: files.length,
      bytes,
      resources,
      errors,
      bareLoadAllMs: round(parseMs, 1),
      validateMs: round(validateMs, 1),
      ratio: round(times.ratio, 2),
      hashAllMs: round(hashMs, 1),
      ratioWithHashes: round((validateMs + hashMs) / parseMs, 2),
      bareMsPerPolicy: round(parseMs / count, 4),
      validateMsPerPolicy: round(validateMs / count, 4),
    };
  }
  return out;
}
