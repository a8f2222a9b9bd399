// apiVersion/kind -> one of our kinds, or a precise reason why not (with a did-you-mean hint).
import {
  atLeast,
  CALICO_API_VERSION,
  formatCalicoVersion,
  K8S_NETWORKING_API_VERSION,
  KINDS,
  kindFor,
  type CalicoVersion,
  type JsonObject,
  type KindInfo,
} from '../domain/index.js';
import { closest } from './did-you-mean.js';
import type { DocumentView } from './document.js';

const API_VERSIONS = [CALICO_API_VERSION, K8S_NETWORKING_API_VERSION];
const CALICO_KINDS = Object.values(KINDS)
  .filter((k) => k.apiVersion === CALICO_API_VERSION)
  .map((k) => k.kind);

export function identifyKind(doc: DocumentView, value: JsonObject, version: CalicoVersion): KindInfo | undefined {
  const apiVersion = value['apiVersion'];
  const kind = value['kind'];
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    doc.report({ path: typeof apiVersion === 'undefined' ? [] : ['apiVersion'], code: 'kind', message: 'apiVersion is required (projectcalico.org/v3 or networking.k8s.io/v1)' });
    return undefined;
  }
  if (typeof kind !== 'string' || kind === '') {
    doc.report({ path: typeof kind === 'undefined' ? [] : ['kind'], code: 'kind', message: 'kind is required' });
    return undefined;
  }
  const info = kindFor(apiVersion, kind);
  if (!info) {
    doc.report({ path: kindProblemPath(apiVersion, kind), code: 'kind', message: kindProblem(apiVersion, kind) });
    return undefined;
  }
  if (!atLeast(version, info.since[0], info.since[1])) {
    doc.report({
      path: ['kind'],
      code: 'kind-version',
      message: `${kind} needs Calico v${info.since[0]}.${info.since[1]} or later; validating for ${formatCalicoVersion(version)} (see --calico-version)`,
    });
    return undefined;
  }
  return info;
}

function kindProblemPath(apiVersion: string, kind: string): readonly string[] {
  return API_VERSIONS.includes(apiVersion) || apiVersion === 'crd.projectcalico.org/v1' || !isKnownKind(kind) ? ['kind'] : ['apiVersion'];
}

function isKnownKind(kind: string): boolean {
  return CALICO_KINDS.includes(kind) || kind === 'NetworkPolicy';
}

function kindProblem(apiVersion: string, kind: string): string {
  const supported = 'calico-gitops accepts projectcalico.org/v3 policy kinds and networking.k8s.io/v1 NetworkPolicy';
  if (apiVersion === 'crd.projectcalico.org/v1') {
    return `apiVersion crd.projectcalico.org/v1 is Calico's storage format and skips its validation: write apiVersion ${CALICO_API_VERSION}`;
  }
  if (apiVersion === CALICO_API_VERSION) {
    const hint = closest(kind, CALICO_KINDS);
    return `unsupported kind "${kind}" for ${CALICO_API_VERSION}${hint ? ` (did you mean "${hint}"?)` : `; ${supported}`}`;
  }
  if (apiVersion === K8S_NETWORKING_API_VERSION) {
    const hint = closest(kind, ['NetworkPolicy']);
    return `unsupported kind "${kind}" for ${K8S_NETWORKING_API_VERSION}${hint ? ` (did you mean "${hint}"?)` : `; ${supported}`}`;
  }
  const apiHint = closest(apiVersion, API_VERSIONS);
  if (isKnownKind(kind)) {
    const want = CALICO_KINDS.includes(kind) && kind !== 'NetworkPolicy' ? CALICO_API_VERSION : (apiHint ?? CALICO_API_VERSION);
    return `unknown apiVersion "${apiVersion}" for kind ${kind} (did you mean "${want}"?)`;
  }
  if (apiHint) return `unknown apiVersion "${apiVersion}" (did you mean "${apiHint}"?)`;
  return `unsupported resource ${kind} (${apiVersion}): ${supported}`;
}
