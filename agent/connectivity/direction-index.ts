// For one endpoint and direction, the peers split into groups that no applied rule tells apart
// (same matches, same family, same named ports where a rule names ports toward them). A group
// gets one evaluation, so the cost follows distinct answers, not pairs. The split is a
// refinement: each rule divides every group in two by whether it matches.
import type { Entity } from './entities.js';
import { hasNamed, portsKey, type Evaluator, type Stage } from './evaluate.js';
import type { Direction } from './policy-model.js';

export interface DirectionIndex {
  /** Group of each entity (by entity index) as the peer of this direction. */
  readonly groupOf: Int32Array;
  readonly groups: number;
}

export function buildDirectionIndex(ev: Evaluator, local: Entity, dir: Direction, stage: Stage, entities: readonly Entity[]): DirectionIndex {
  const n = entities.length;
  let groupOf = new Int32Array(n);
  let groups = 0;
  {
    const first = new Map<string, number>();
    for (const e of entities) {
      const k = e.kind === 'cidr' ? `c${e.family}` : 'p';
      let g = first.get(k);
      if (g === undefined) first.set(k, (g = groups++));
      groupOf[e.index] = g;
    }
  }
  let named = false;
  for (const { policies } of ev.appliedTiers(local, dir, stage)) {
    for (const p of policies) {
      for (const rule of p[dir] ?? []) {
        if (dir === 'egress' && (hasNamed(rule.destination.ports) || hasNamed(rule.destination.notPorts))) named = true;
        const localMatches = dir === 'egress' ? ev.sourceMatches(rule, local) : ev.destinationMatches(rule, local);
        if (!localMatches) continue;
        const next = new Int32Array(groups * 2).fill(-1);
        const refined = new Int32Array(n);
        let count = 0;
        for (const e of entities) {
          const bit = dir === 'egress' ? ev.destinationMatches(rule, e) : ev.sourceMatches(rule, e);
          const slot = groupOf[e.index]! * 2 + (bit ? 1 : 0);
          let g = next[slot]!;
          if (g === -1) next[slot] = g = count++;
          refined[e.index] = g;
        }
        groupOf = refined;
        groups = count;
      }
    }
  }
  if (named) {
    const ids = new Map<string, number>();
    const refined = new Int32Array(n);
    for (const e of entities) {
      const k = `${groupOf[e.index]}|${portsKey(e)}`;
      let g = ids.get(k);
      if (g === undefined) ids.set(k, (g = ids.size));
      refined[e.index] = g;
    }
    groupOf = refined;
    groups = ids.size;
  }
  return { groupOf, groups };
}
