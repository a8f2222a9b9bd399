// For one endpoint and direction, the peers split into groups that no applied rule tells apart
// (same matches, same family, same named ports where a rule names ports toward them). A group
// gets one evaluation, so the cost follows distinct answers, not pairs. The split is a
// refinement: each rule divides every group in two by whether it matches.
import type { Entity } from './entities.js';
import { hasNamed, portsKey, type Evaluator, type Stage } from './evaluate.js';
import type { CompiledRule, Direction } from './policy-model.js';

export interface DirectionIndex {
  /** Group of each entity (by entity index) as the peer of this direction. */
  readonly groupOf: Int32Array;
  readonly groups: number;
}

/**
 * The direction indexes of one analysis. An index depends only on which applied rules match the
 * local endpoint (in order) and whether any applied egress rule names ports, not on the endpoint
 * itself: endpoints of the same policies share one, so the refinement runs once per distinct rule
 * sequence instead of once per endpoint and direction.
 */
export function directionIndexer(ev: Evaluator, entities: readonly Entity[]): (local: Entity, dir: Direction, stage: Stage) => DirectionIndex {
  const known = new Map<string, DirectionIndex>();
  return (local, dir, stage) => {
    const rules: CompiledRule[] = [];
    let named = false;
    for (const { policies } of ev.appliedTiers(local, dir, stage)) {
      for (const p of policies) {
        for (const rule of p[dir] ?? []) {
          if (dir === 'egress' && (hasNamed(rule.destination.ports) || hasNamed(rule.destination.notPorts))) named = true;
          if (dir === 'egress' ? ev.sourceMatches(rule, local) : ev.destinationMatches(rule, local)) rules.push(rule);
        }
      }
    }
    const key = `${dir}|${named ? 1 : 0}|${rules.map((r) => r.id).join(',')}`;
    let index = known.get(key);
    if (!index) known.set(key, (index = refine(ev, dir, rules, named, entities)));
    return index;
  };
}

function refine(ev: Evaluator, dir: Direction, rules: readonly CompiledRule[], named: boolean, entities: readonly Entity[]): DirectionIndex {
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
  for (const rule of rules) {
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
