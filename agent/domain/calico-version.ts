// Calico versions decide name rules, storage layout and which kinds exist (CALICO.md).

export interface CalicoVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** The release we target when no cluster tells us otherwise. */
export const DEFAULT_CALICO_VERSION: CalicoVersion = { major: 3, minor: 31, patch: 2 };

/** How the cluster serves Calico resources (see CALICO.md, "Storage"). */
export const API_MODES = ['crd', 'apiserver', 'native-v3'] as const;
export type ApiMode = (typeof API_MODES)[number];

export function parseCalicoVersion(text: string): CalicoVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function formatCalicoVersion(v: CalicoVersion): string {
  return `v${v.major}.${v.minor}.${v.patch}`;
}

/** True when `v` is at least `major.minor`. */
export function atLeast(v: CalicoVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** v3.29–v3.31 require policies in a non-default tier to be named `<tier>.<name>`. */
export function requiresTierPrefixedNames(v: CalicoVersion): boolean {
  return atLeast(v, 3, 29) && !atLeast(v, 3, 32);
}
