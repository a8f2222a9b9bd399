// metav1.LabelSelector as Kubernetes validates it (apimachinery ValidateLabelSelector with
// AllowInvalidLabelValueInSelector false, as NetworkPolicy uses it): matchLabels keys and values
// in label syntax, matchExpressions with In/NotIn (values required) or Exists/DoesNotExist
// (values forbidden).
import type { JsonValue } from '../../domain/index.js';
import { closest } from '../did-you-mean.js';
import type { DocumentView, Path } from '../document.js';
import { checkKnownFields, checkYaml11Boolean, describeValue, listAt, objectAt, stringAt } from './k8s-fields.js';
import { checkLabelValue, checkQualifiedName } from './k8s-names.js';

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type LabelSelectorOperator = (typeof LABEL_SELECTOR_OPERATORS)[number];

const SELECTOR_FIELDS = ['matchLabels', 'matchExpressions'] as const;
const REQUIREMENT_FIELDS = ['key', 'operator', 'values'] as const;

/** Validates a label selector at `path`; `what` names it in messages (`podSelector`). */
export function validateLabelSelector(doc: DocumentView, path: Path, value: JsonValue | undefined, what: string): void {
  const selector = objectAt(doc, path, value, what);
  if (!selector) return;
  checkKnownFields(doc, path, selector, SELECTOR_FIELDS, {
    matchlabels: 'did you mean "matchLabels"?',
    labels: 'a label selector uses "matchLabels"',
    selector: 'a label selector uses "matchLabels" or "matchExpressions", not a Calico selector string',
  });

  const labelsPath = [...path, 'matchLabels'];
  const labels = objectAt(doc, labelsPath, selector['matchLabels'], `${what}.matchLabels`);
  if (labels) {
    for (const [key, v] of Object.entries(labels)) {
      for (const msg of checkQualifiedName(key)) {
        doc.report({ path: [...labelsPath, key], message: `label key "${key}": ${msg}`, code: 'label', at: 'key' });
      }
      const labelValue = stringAt(doc, [...labelsPath, key], v, `the value of label "${key}"`);
      if (labelValue === undefined) {
        if (v === null) {
          doc.report({ path: [...labelsPath, key], message: `the value of label "${key}" is null; write "" for an empty value`, code: 'type' });
        }
        continue;
      }
      checkYaml11Boolean(doc, [...labelsPath, key], labelValue);
      for (const msg of checkLabelValue(labelValue)) {
        doc.report({ path: [...labelsPath, key], message: `label value "${labelValue}": ${msg}`, code: 'label' });
      }
    }
  }

  const exprsPath = [...path, 'matchExpressions'];
  const exprs = listAt(doc, exprsPath, selector['matchExpressions'], `${what}.matchExpressions`);
  exprs?.forEach((expr, i) => validateRequirement(doc, [...exprsPath, i], expr));
}

function validateRequirement(doc: DocumentView, path: Path, value: JsonValue): void {
  const req = objectAt(doc, path, value, 'a matchExpressions entry');
  if (!req) {
    if (value === null) doc.report({ path, message: 'a matchExpressions entry must be a mapping, found null', code: 'type' });
    return;
  }
  checkKnownFields(doc, path, req, REQUIREMENT_FIELDS, { value: 'did you mean "values"? (a list)' });

  const key = stringAt(doc, [...path, 'key'], req['key'], 'key');
  if (req['key'] === undefined || req['key'] === null) {
    doc.report({ path, message: 'key is required in a matchExpressions entry', code: 'required' });
  } else if (key !== undefined) {
    for (const msg of checkQualifiedName(key)) doc.report({ path: [...path, 'key'], message: `key "${key}": ${msg}`, code: 'label' });
  }

  const valuesPath = [...path, 'values'];
  const values = listAt(doc, valuesPath, req['values'], 'values');
  const count = values?.length ?? 0;
  const operator = stringAt(doc, [...path, 'operator'], req['operator'], 'operator');
  if (req['operator'] === undefined || req['operator'] === null) {
    doc.report({ path, message: `operator is required in a matchExpressions entry (one of ${LABEL_SELECTOR_OPERATORS.join(', ')})`, code: 'required' });
  } else if (operator !== undefined) {
    if (operator === 'In' || operator === 'NotIn') {
      if (count === 0) {
        doc.report({ path: req['values'] === undefined ? path : valuesPath, message: `values must be specified when operator is '${operator}'`, code: 'required' });
      }
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (count > 0) {
        doc.report({ path: valuesPath, message: `values may not be specified when operator is '${operator}'`, code: 'label-selector' });
      }
    } else {
      const near = closest(operator, LABEL_SELECTOR_OPERATORS);
      const hint = near ? ` (did you mean "${near}"?)` : '';
      doc.report({
        path: [...path, 'operator'],
        message: `"${operator}" is not a valid selector operator${hint}; use one of ${LABEL_SELECTOR_OPERATORS.join(', ')}`,
        code: 'label-selector',
      });
    }
  }

  values?.forEach((v, i) => {
    if (typeof v !== 'string') {
      doc.report({ path: [...valuesPath, i], message: `a selector value must be a string, found ${describeValue(v)}`, code: 'type' });
      return;
    }
    checkYaml11Boolean(doc, [...valuesPath, i], v);
    for (const msg of checkLabelValue(v)) doc.report({ path: [...valuesPath, i], message: `value "${v}": ${msg}`, code: 'label' });
  });
}
