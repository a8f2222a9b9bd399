// Renders batches as multi-document YAML files and packs them into ConfigMaps that stay below the
// 1 MiB object limit. A batch too large for one file becomes several parts, each its own container.
import { dump } from 'js-yaml';
import type { JsonObject, Manifest } from '../domain/resource.js';
import type { PlanStep } from '../domain/state.js';
import type { Batch, Tool, Verb } from './batches.js';

/** Room left under the 1 MiB limit for the ConfigMap's own metadata. */
export const DEFAULT_MAX_CONFIGMAP_BYTES = 900 * 1024;

export interface RenderedPart {
  /** 0-based position in the pod: also the init container's position. */
  readonly index: number;
  readonly batchIndex: number;
  readonly tool: Tool;
  readonly verb: Verb;
  readonly steps: readonly PlanStep[];
  /** Index of the ConfigMap that holds the file. */
  readonly configMap: number;
  /** File name inside the ConfigMap (a ConfigMap key). */
  readonly file: string;
  readonly content: string;
}

export interface RenderResult {
  readonly parts: readonly RenderedPart[];
  /** Per ConfigMap: file name → content. */
  readonly configMaps: readonly Readonly<Record<string, string>>[];
  /** Resources that cannot fit into any ConfigMap, as data. */
  readonly problems: readonly { readonly key: string; readonly message: string }[];
}

export interface RenderOptions {
  readonly batches: readonly Batch[];
  /** Size budget of one ConfigMap's data, in bytes. */
  readonly maxConfigMapBytes?: number;
}

/** Deletes only need the identity; sending the live spec back would let an old bad spec fail the delete. */
export function documentFor(step: PlanStep): Manifest | { apiVersion: string; kind: string; metadata: JsonObject } {
  if (step.action !== 'delete') return step.manifest;
  const { apiVersion, kind, metadata } = step.manifest;
  return {
    apiVersion,
    kind,
    metadata: metadata.namespace ? { name: metadata.name, namespace: metadata.namespace } : { name: metadata.name },
  };
}

export function renderDocument(step: PlanStep): string {
  return dump(documentFor(step), { noRefs: true, lineWidth: -1, sortKeys: false });
}

const SEPARATOR = '---\n';

export function renderBatches(options: RenderOptions): RenderResult {
  const max = options.maxConfigMapBytes ?? DEFAULT_MAX_CONFIGMAP_BYTES;
  const problems: { key: string; message: string }[] = [];
  const files: { batchIndex: number; tool: Tool; verb: Verb; steps: PlanStep[]; docs: string[]; bytes: number }[] = [];

  options.batches.forEach((batch, batchIndex) => {
    let current: (typeof files)[number] | undefined;
    for (const step of batch.steps) {
      const doc = SEPARATOR + renderDocument(step);
      const bytes = Buffer.byteLength(doc);
      if (bytes > max) {
        problems.push({ key: step.key, message: `rendered size ${bytes} bytes exceeds the ConfigMap budget of ${max} bytes` });
        continue;
      }
      if (!current || current.bytes + bytes > max) {
        current = { batchIndex, tool: batch.tool, verb: batch.verb, steps: [], docs: [], bytes: 0 };
        files.push(current);
      }
      current.steps.push(step);
      current.docs.push(doc);
      current.bytes += bytes;
    }
  });

  const configMaps: Record<string, string>[] = [];
  const sizes: number[] = [];
  const parts: RenderedPart[] = files.map((f, index) => {
    const file = `${String(index).padStart(3, '0')}-${f.tool}-${f.verb}.yaml`;
    // Parts keep their order; a part goes into the last ConfigMap when it still fits.
    let cm = configMaps.length - 1;
    if (cm < 0 || (sizes[cm] ?? 0) + f.bytes > max) {
      configMaps.push({});
      sizes.push(0);
      cm = configMaps.length - 1;
    }
    const content = f.docs.join('');
    (configMaps[cm] as Record<string, string>)[file] = content;
    sizes[cm] = (sizes[cm] ?? 0) + f.bytes;
    return { index, batchIndex: f.batchIndex, tool: f.tool, verb: f.verb, steps: f.steps, configMap: cm, file, content };
  });
  return { parts, configMaps, problems };
}
