// Names, namespaces, labels and annotations: the same for every kind, parametrised by scope.
import { isBookkeepingAnnotation, isCalicoManagedKey, type KindInfo } from '../../domain/index.js';
import type { DocumentView } from '../document.js';
import { checkAnnotations } from './annotations.js';
import { error, metadata, obj, text, type Rule } from './helpers.js';
import { isDnsLabel, isDnsSubdomain, labelKeyProblem, labelValueProblem } from './names.js';

const POLICY_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy']);

function name(kind: KindInfo): Rule {
  return (doc) => {
    const meta = metadata(doc);
    const value = meta['name'];
    if (value === undefined || value === null || value === '') {
      error(doc, obj(doc.value['metadata']) ? ['metadata'] : [], 'name', 'metadata.name is required');
      return;
    }
    if (typeof value !== 'string') return;
    const path = ['metadata', 'name'];
    if (kind.id === 'Tier') {
      if (!isDnsLabel(value)) error(doc, path, 'name', `Tier name "${value}" must be a lower-case DNS label (a-z, 0-9, "-", no dots, at most 63 characters)`);
      return;
    }
    if (!isDnsSubdomain(value)) {
      error(doc, path, 'name', `name "${value}" must be a lower-case DNS-1123 subdomain (a-z, 0-9, "-" and ".", at most 253 characters)`);
      return;
    }
    if (POLICY_KINDS.has(kind.id) && value.split('.').length > 2) {
      error(doc, path, 'name', `${kind.kind} name "${value}" may contain at most one dot (the one after a tier prefix)`);
    }
  };
}

function namespace(kind: KindInfo): Rule {
  return (doc) => {
    const value = metadata(doc)['namespace'];
    const present = value !== undefined && value !== null && value !== '';
    if (kind.scope === 'Namespaced' && !present) {
      error(doc, obj(doc.value['metadata']) ? ['metadata'] : [], 'namespace', `${kind.kind} is namespaced: metadata.namespace is required`);
    } else if (kind.scope === 'Cluster' && present) {
      error(doc, ['metadata', 'namespace'], 'namespace', `${kind.kind} is cluster-wide: remove metadata.namespace`);
    } else if (typeof value === 'string' && present && !isDnsLabel(value)) {
      error(doc, ['metadata', 'namespace'], 'namespace', `namespace "${value}" must be a lower-case DNS label (a-z, 0-9, "-", at most 63 characters)`);
    }
  };
}

const NETWORK_SETS = new Set(['NetworkSet', 'GlobalNetworkSet']);

function labelsAndAnnotations(kind: KindInfo): Rule {
  return (doc) => checkLabelsAndAnnotations(doc, kind);
}

function checkLabelsAndAnnotations(doc: DocumentView, kind: KindInfo): void {
  const meta = metadata(doc);
  const labels = obj(meta['labels']);
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) doc.report({ path: ['metadata', 'labels', key], at: 'key', code: 'label', message: `label key "${key}": ${keyProblem}` });
    // On network sets the namespace label is an error of its own (network-set.ts).
    else if (isCalicoManagedKey(key) && !(NETWORK_SETS.has(kind.id) && key === 'projectcalico.org/namespace')) {
      doc.report({ path: ['metadata', 'labels', key], at: 'key', severity: 'warning', code: 'managed-label', message: `label "${key}" is managed by Calico; the value here is ignored` });
    }
    const v = text(value);
    const valueProblem = v === undefined ? undefined : labelValueProblem(v);
    if (valueProblem) error(doc, ['metadata', 'labels', key], 'label', `label value "${v ?? ''}": ${valueProblem}`);
  }
  for (const key of checkAnnotations(doc, ['metadata', 'annotations'], obj(meta['annotations']))) {
    const path = ['metadata', 'annotations', key];
    if (isBookkeepingAnnotation(key)) {
      doc.report({ path, at: 'key', severity: 'warning', code: 'managed-annotation', message: `annotation "${key}" is written by calico-gitops itself; the value here is ignored` });
    } else if (isCalicoManagedKey(key)) {
      doc.report({ path, at: 'key', severity: 'warning', code: 'managed-annotation', message: `annotation "${key}" is managed by Calico; the value here is ignored` });
    }
  }
}

export function metadataRules(kind: KindInfo): readonly Rule[] {
  return [name(kind), namespace(kind), labelsAndAnnotations(kind)];
}
