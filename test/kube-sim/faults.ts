// Fault injection for reliability tests: per path prefix (and method) an error status with a proper
// Status body at a given rate, added latency, a number of times, or dropped watch connections.

export interface FaultRule {
  /** Only this HTTP method (any when absent). */
  method?: string;
  /** Request paths starting with this, e.g. `/apis/crd.projectcalico.org/`. */
  pathPrefix: string;
  /** Answer with this status and its proper Status body (409 on a named object: the real conflict message). */
  status?: number;
  /**
   * Share of matching requests affected, 0..1 (default 1), as a fixed pattern that starts with the
   * first match: 0.4 fails matches 1, 4, 6, 9, … (two in five). Not random, so a test that sets a
   * rate always injects at least one fault and fires the same ones on every run.
   */
  rate?: number;
  /** Delay before handling (or before failing). */
  latencyMs?: number;
  /** How many times the rule fires, then it is spent (default unlimited). */
  times?: number;
  /** Matching watch requests are cut (connection destroyed); open ones are cut when the rule is set. */
  dropWatch?: boolean;
}

export class Faults {
  /** `seen`: matching requests so far, for the rate's pattern. */
  private rules: { rule: FaultRule; left: number; seen: number }[] = [];

  set(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule: { ...rule }, left: rule.times ?? Number.POSITIVE_INFINITY, seen: 0 }));
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.filter((r) => r.left > 0).map((r) => ({ ...r.rule, ...(Number.isFinite(r.left) ? { times: r.left } : {}) }));
  }

  /** The first matching rule that fires for this request (consuming one of its `times`). */
  match(method: string, path: string, o: { watch: boolean }): FaultRule | undefined {
    for (const r of this.rules) {
      const rule = r.rule;
      if (r.left <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!path.startsWith(rule.pathPrefix)) continue;
      if (rule.dropWatch && !o.watch && rule.status === undefined && rule.latencyMs === undefined) continue;
      if (rule.rate !== undefined && !firesAt(r.seen++, rule.rate)) continue;
      r.left -= 1;
      return rule;
    }
    return undefined;
  }

  /** Rules that cut open watches on this path. */
  dropsWatch(path: string): boolean {
    return this.rules.some((r) => r.left > 0 && r.rule.dropWatch === true && path.startsWith(r.rule.pathPrefix));
  }
}

/** Whether the n-th match (from 0) fires at this rate: the running count of fires steps up on it. */
function firesAt(n: number, rate: number): boolean {
  const r = Math.min(1, Math.max(0, rate));
  // Offset 1 - r makes the first match fire; rounding keeps 0.4 × 5 from landing just under 2.
  const fires = (k: number) => Math.floor(Math.round((k * r + 1 - r) * 1e9) / 1e9);
  return fires(n + 1) > fires(n);
}
