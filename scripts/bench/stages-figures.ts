// The stages bench's arithmetic: one round's stage boundaries from the agent's own log lines (the
// controller's in the bench process, the worker's from wherever it runs), and the medians,
// minimums and per-round ratios to the bare `git fetch` of a topology.

/** One agent log line as the bench keeps it; `time` in ms since the epoch. */
export interface LogLine {
  readonly time: number;
  readonly msg?: string;
  readonly revision?: string;
  readonly fetch?: boolean;
  /** Which process wrote it (the bench keeps both topologies' lines in one shape). */
  readonly source?: 'controller' | 'worker';
}

export interface RoundInput {
  /** Lines written since the webhook was posted (any order: two processes write them). */
  readonly lines: readonly LogLine[];
  readonly sha: string;
  /** Date.now() just before the webhook POST. */
  readonly t0: number;
  /** Date.now() when the apply success status was seen. */
  readonly tEnd: number;
  /** performance.now() span of POST → status seen. */
  readonly totalMs: number;
}

export const STAGE_NAMES = [
  'webhookToCycleStart',
  'cycleStartToSourceRead',
  'webhookToSourceRead',
  'sourceReadToDesired',
  'desiredToLiveSynced',
  'liveSyncedToPlanned',
  'plannedToEnqueued',
  'webhookToEnqueued',
  'enqueuedToPickup',
  'pickupToPodStarted',
  'podRun',
  'podToVerified',
  'verifiedToSettleCycleSourceRead',
  'settleCycleSourceReadToStatus',
  'verifiedToStatus',
  'pushToApplied',
  'pushToAppliedWithoutPod',
] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export function roundStages(r: RoundInput): Record<StageName, number> {
  const mine = r.lines.filter((l) => l.time >= r.t0).sort((a, b) => a.time - b.time);
  const at = (msg: string, o: { after?: number; fetch?: boolean } = {}): number | undefined =>
    mine.find((l) => l.msg?.startsWith(msg) === true && (l.revision === undefined || l.revision === r.sha) && l.time >= (o.after ?? 0) && (o.fetch === undefined || l.fetch === o.fetch))?.time;
  const enq = at('sync job enqueued');
  const pick = at('applying plan');
  const podStart = at('executor pod started');
  const podEnd = at('executor pod finished');
  const verified = at('plan applied and verified');
  if (!enq || !pick || !podStart || !podEnd || !verified) throw new Error(`missing stage log lines: ${JSON.stringify({ enq, pick, podStart, podEnd, verified })}`);
  // The controller cycle's own marks (debug lines of agent/controller/cycle.ts); the webhook's
  // cycle is the one that fetches.
  const started = at('cycle: started', { fetch: true }) ?? r.t0;
  const read = at('cycle: source read') ?? enq;
  const built = at('cycle: desired built') ?? read;
  const synced = at('cycle: live synced') ?? built;
  const planned = at('cycle: plan built') ?? synced;
  // The apply status is posted by the cycle the settled job triggers: its source read, then the rest.
  const settleRead = at('cycle: source read', { after: verified }) ?? verified;
  return {
    webhookToCycleStart: started - r.t0,
    cycleStartToSourceRead: read - started,
    webhookToSourceRead: read - r.t0,
    sourceReadToDesired: built - read,
    desiredToLiveSynced: synced - built,
    liveSyncedToPlanned: planned - synced,
    plannedToEnqueued: enq - planned,
    webhookToEnqueued: enq - r.t0,
    // Across processes (deployed) a worker can take the job before the controller's enqueue call
    // has returned and logged: a few ms below zero then.
    enqueuedToPickup: pick - enq,
    pickupToPodStarted: podStart - pick,
    podRun: podEnd - podStart,
    podToVerified: verified - podEnd,
    verifiedToSettleCycleSourceRead: settleRead - verified,
    settleCycleSourceReadToStatus: r.tEnd - settleRead,
    verifiedToStatus: r.tEnd - verified,
    pushToApplied: r.totalMs,
    pushToAppliedWithoutPod: r.totalMs - (podEnd - podStart),
  };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const round1 = (x: number): number => Math.round(x * 10) / 10;

export interface TopologyFigures {
  readonly stagesMedianMs: Record<string, number>;
  readonly stagesMinMs: Record<string, number>;
  readonly pushToAppliedWithoutPodMs: { readonly median: number; readonly min: number };
  readonly gitFetchAloneMs: { readonly median: number; readonly min: number };
  /** Per round (push → applied without the pod) / (that round's bare git fetch): load on the shared machine hits both alike. */
  readonly withoutPodVsGitFetchPerRound: { readonly median: number; readonly min: number };
  readonly pushToAppliedWithoutPodVsGitFetchMedians: number;
  readonly pushToAppliedVsGitFetchMedians: number;
}

export function topologyFigures(rounds: readonly Record<StageName, number>[], fetchAlone: readonly number[]): TopologyFigures {
  const series = (name: StageName): number[] => rounds.map((r) => r[name]);
  const medians = Object.fromEntries(STAGE_NAMES.map((k) => [k, round1(median(series(k)))]));
  const withoutPod = series('pushToAppliedWithoutPod');
  const perRound = withoutPod.map((x, i) => x / (fetchAlone[i] ?? x));
  const fetchMedian = median(fetchAlone);
  return {
    stagesMedianMs: medians,
    stagesMinMs: Object.fromEntries(STAGE_NAMES.map((k) => [k, round1(Math.min(...series(k)))])),
    pushToAppliedWithoutPodMs: { median: round1(median(withoutPod)), min: round1(Math.min(...withoutPod)) },
    gitFetchAloneMs: { median: round1(fetchMedian), min: round1(Math.min(...fetchAlone)) },
    withoutPodVsGitFetchPerRound: { median: round1(median(perRound)), min: round1(Math.min(...perRound)) },
    pushToAppliedWithoutPodVsGitFetchMedians: round1(median(withoutPod) / fetchMedian),
    pushToAppliedVsGitFetchMedians: round1(median(series('pushToApplied')) / fetchMedian),
  };
}
