// The resource types the emulated calicoctl knows, with the names `get`/`delete` accept on the
// command line (calicoctl's resourcemgr registrations: singular, plural and short names).
import { KINDS, atLeast } from '../../../agent/domain/index.js';
import type { CalicoVersion, KindId } from '../../../agent/domain/index.js';

export interface CtlKind {
  /** `kind` in projectcalico.org/v3 and in crd.projectcalico.org/v1. */
  readonly kind: string;
  /** Our KindId, absent for kinds the agent does not manage (ClusterInformation). */
  readonly kindId?: KindId;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly isPolicy: boolean;
  readonly since: readonly [number, number];
  /** Calico itself owns the object; calicoctl refuses writes. */
  readonly readOnly: boolean;
  readonly aliases: readonly string[];
}

function fromDomain(id: KindId, aliases: readonly string[]): CtlKind {
  const k = KINDS[id];
  return {
    kind: k.kind,
    kindId: id,
    plural: k.plural,
    namespaced: k.scope === 'Namespaced',
    isPolicy: k.isPolicy,
    since: k.since,
    readOnly: false,
    aliases,
  };
}

export const CTL_KINDS: readonly CtlKind[] = [
  fromDomain('Tier', ['tier', 'tiers']),
  fromDomain('GlobalNetworkSet', ['globalnetworkset', 'globalnetworksets']),
  fromDomain('NetworkSet', ['networkset', 'networksets', 'netsets', 'netset']),
  fromDomain('GlobalNetworkPolicy', ['globalnetworkpolicy', 'globalnetworkpolicies', 'gnp', 'gnps', 'globalpolicy', 'globalpolicies']),
  fromDomain('StagedGlobalNetworkPolicy', ['stagedglobalnetworkpolicy', 'stagedglobalnetworkpolicies', 'sgnp', 'sgnps']),
  fromDomain('NetworkPolicy', ['networkpolicy', 'networkpolicies', 'policy', 'np', 'policies', 'pol', 'pols']),
  fromDomain('StagedNetworkPolicy', ['stagednetworkpolicy', 'stagednetworkpolicies', 'snp', 'snps']),
  fromDomain('StagedKubernetesNetworkPolicy', ['stagedkubernetesnetworkpolicy', 'stagedkubernetesnetworkpolicies', 'sknp', 'sknps']),
  fromDomain('HostEndpoint', ['hostendpoint', 'hostendpoints', 'hep', 'heps']),
  {
    kind: 'ClusterInformation',
    plural: 'clusterinformations',
    namespaced: false,
    isPolicy: false,
    since: [3, 0],
    readOnly: true,
    aliases: ['clusterinformation', 'clusterinformations', 'clusterinfo', 'clusterinfos'],
  },
];

/** The kind named on the command line (case-insensitive), if this calicoctl version has it. */
export function ctlKindByAlias(typed: string, version: CalicoVersion): CtlKind | undefined {
  const lower = typed.toLowerCase();
  const found = CTL_KINDS.find((k) => k.aliases.includes(lower));
  return found && hasKind(found, version) ? found : undefined;
}

/** The kind written in a manifest's `kind` under apiVersion projectcalico.org/v3. */
export function ctlKindByKind(kind: string, version: CalicoVersion): CtlKind | undefined {
  const found = CTL_KINDS.find((k) => k.kind === kind);
  return found && hasKind(found, version) ? found : undefined;
}

export function hasKind(kind: CtlKind, version: CalicoVersion): boolean {
  return atLeast(version, kind.since[0], kind.since[1]);
}
