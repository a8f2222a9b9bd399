// Limits that keep hostile or accidental input (huge files, alias bombs, deep nesting) from
// turning validation into a crash or a hang. Each one, when hit, becomes an ordinary Issue.

export interface Limits {
  /** Largest single file that is parsed at all. */
  readonly maxFileBytes: number;
  /** Sum of all file sizes of one revision. */
  readonly maxRepoBytes: number;
  /** Documents (`---` separated) in one file. */
  readonly maxDocumentsPerFile: number;
  /** Nesting of YAML collections; Calico objects need about 8. */
  readonly maxDepth: number;
  /**
   * Alias references in one file, counted after expansion: an alias to a node that itself holds
   * aliases counts them all again. Linear use of anchors stays far below; a "billion laughs"
   * document passes it within a few levels.
   */
  readonly maxAliases: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFileBytes: 1024 * 1024,
  maxRepoBytes: 64 * 1024 * 1024,
  maxDocumentsPerFile: 10_000,
  maxDepth: 32,
  maxAliases: 1_000,
};

export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  return limits ? { ...DEFAULT_LIMITS, ...limits } : DEFAULT_LIMITS;
}
