// The YAML schema we parse with: YAML 1.2 core (null, bool, int, float, str) plus merge keys
// (`<<: *base`, which kubectl's go-yaml supports). No timestamps, binary, sets or omaps: a
// Calico object has no use for them, and `2024-01-01` in a label must stay a string.
// YAML 1.1 booleans (`yes`, `on`, ...) are strings here but booleans for kubectl/calicoctl;
// the schema walker reports them (see schema/walk.ts).
import { CORE_SCHEMA, mergeType } from './js-yaml.js';

export const POLICY_SCHEMA = CORE_SCHEMA.extend({ implicit: [mergeType] });

/** Plain scalars that go-yaml (YAML 1.1) reads as booleans but js-yaml (1.2) reads as strings. */
export const YAML11_BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].map((w) => [w, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF'].map((w) => [w, false] as const),
]);
