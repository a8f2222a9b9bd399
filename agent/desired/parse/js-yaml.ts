// Typed access to the parts of js-yaml 4.3 that @types/js-yaml 4.0 does not describe: the
// `maxDepth` option, the loader's `depth`, and the bundled `types` (for merge keys).
import yaml from 'js-yaml';

/** The loader state as the `listener` option sees it (0-based line, offsets into the input). */
export interface LoaderState {
  readonly line: number;
  readonly depth: number;
  readonly position: number;
  readonly lineStart: number;
  readonly kind: string | null;
  readonly result: unknown;
}

export type LoaderListener = (event: 'open' | 'close', state: LoaderState) => void;

export interface LoadAllOptions {
  readonly schema: yaml.Schema;
  readonly filename?: string;
  readonly maxDepth?: number;
  readonly listener?: LoaderListener;
}

type LoadAll = (input: string, iterator: null, options: LoadAllOptions) => unknown[];

export const loadAll: LoadAll = yaml.loadAll as unknown as LoadAll;

export const mergeType: yaml.Type = (yaml as unknown as { types: { merge: yaml.Type } }).types.merge;

export const CORE_SCHEMA = yaml.CORE_SCHEMA;
export const YAMLException = yaml.YAMLException;
