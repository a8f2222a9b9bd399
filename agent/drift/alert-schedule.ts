// Pure: which drift alert to send now, if any. One alert when an episode starts, a repeat at most
// every interval while it lasts, one when the fight guard gives up, and `resolved` when it ends.
import type { DriftAdvance } from './episode.js';
import type { DriftAlertState } from './describe.js';

export interface AlertMemory {
  readonly episode?: string;
  /** When the last alert of this episode was sent (ms). */
  readonly lastSentMs?: number;
}

export function nextAlert(memory: AlertMemory, input: { advance: DriftAdvance; nowMs: number; intervalMs: number }): { send?: DriftAlertState; memory: AlertMemory } {
  const { advance, nowMs } = input;
  const episode = advance.memory.episode;
  if (advance.transition === 'ended') return memory.episode ? { send: 'resolved', memory: {} } : { memory: {} };
  if (!episode) return { memory };
  if (memory.episode !== episode.id) return { send: advance.fightingStarted.length > 0 ? 'fighting' : 'firing', memory: { episode: episode.id, lastSentMs: nowMs } };
  if (advance.fightingStarted.length > 0) return { send: 'fighting', memory: { episode: episode.id, lastSentMs: nowMs } };
  if (memory.lastSentMs !== undefined && nowMs - memory.lastSentMs >= input.intervalMs) return { send: 'repeat', memory: { episode: episode.id, lastSentMs: nowMs } };
  return { memory };
}
