// Names, namespaces, labels and annotations: the same for every kind, parametrised by scope.
import type { KindInfo } from '../../domain/index.js';
import type { DocumentView } from '../document.js';
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

function labelsAndAnnotations(doc: DocumentView): void {
  const meta = metadata(doc);
  const labels = obj(meta['labels']);
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) doc.report({ path: ['metadata', 'labels', key], at: 'key', code: 'label', message: `label key "${key}": ${keyProblem}` });
    const v = text(value);
    const valueProblem = v === undefined ? undefined : labelValueProblem(v);
    if (valueProblem) error(doc, ['metadata', 'labels', key], 'label', `label value "${v ?? ''}": ${valueProblem}`);
  }
  for (const key of Object.keys(obj(meta['annotations']) ?? {})) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) doc.report({ path: ['metadata', 'annotations', key], at: 'key', code: 'annotation', message: `annotation key "${key}": ${keyProblem}` });
  }
}

export function metadataRules(kind: KindInfo): readonly Rule[] {
  return [name(kind), namespace(kind), labelsAndAnnotations];
}
