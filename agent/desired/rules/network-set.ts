// NetworkSet and GlobalNetworkSet: named lists of CIDRs that selectors can match by label.
import type { DocumentView } from '../document.js';
import { error, list, metadata, obj, spec, type Rule } from './helpers.js';
import { parseCidr } from './net.js';

function nets(doc: DocumentView): void {
  list(spec(doc)['nets']).forEach((n, i) => {
    if (typeof n === 'string' && !parseCidr(n)) error(doc, ['spec', 'nets', i], 'cidr', `"${n}" is not a valid CIDR`);
  });
}

function reservedLabel(doc: DocumentView): void {
  const key = 'projectcalico.org/namespace';
  if (obj(metadata(doc)['labels'])?.[key] !== undefined) {
    doc.report({ path: ['metadata', 'labels', key], at: 'key', code: 'label', message: `label ${key} is reserved for Calico and not allowed on network sets` });
  }
}

export const networkSetRules: readonly Rule[] = [nets, reservedLabel];
