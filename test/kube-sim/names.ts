// Object name rules with the validation messages of k8s.io/apimachinery/pkg/util/validation.
import type { FieldError } from './status.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path-segment';

export function nameRuleFor(group: string, resource: string): NameRule {
  if (group === '' && resource === 'namespaces') return 'label';
  if (group === '' && resource === 'services') return 'dns1035';
  if (group === 'rbac.authorization.k8s.io') return 'path-segment';
  return 'subdomain';
}

export function validateName(name: string, rule: NameRule, field = 'metadata.name'): FieldError[] {
  switch (rule) {
    case 'label':
      if (name.length > 63) return [{ type: 'Invalid', field, value: name, detail: 'must be no more than 63 characters' }];
      return LABEL.test(name)
        ? []
        : [{ type: 'Invalid', field, value: name, detail: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')" }];
    case 'dns1035':
      if (name.length > 63) return [{ type: 'Invalid', field, value: name, detail: 'must be no more than 63 characters' }];
      return DNS1035.test(name)
        ? []
        : [{ type: 'Invalid', field, value: name, detail: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" }];
    case 'path-segment':
      if (name === '.' || name === '..') return [{ type: 'Invalid', field, value: name, detail: `may not be '${name}'` }];
      if (name.includes('/') || name.includes('%')) return [{ type: 'Invalid', field, value: name, detail: `may not contain '${name.includes('/') ? '/' : '%'}'` }];
      return [];
    default:
      if (name.length > 253) return [{ type: 'Invalid', field, value: name, detail: 'must be no more than 253 characters' }];
      return SUBDOMAIN.test(name)
        ? []
        : [{ type: 'Invalid', field, value: name, detail: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" }];
  }
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** A label or annotation key: optional DNS-subdomain prefix and `/`, then a name of at most 63. */
export function validateQualifiedName(key: string, field: string): FieldError[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const errors: FieldError[] = [];
  if (slash >= 0 && (prefix === '' || !SUBDOMAIN.test(prefix) || prefix.length > 253)) {
    errors.push({ type: 'Invalid', field, value: key, detail: 'prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character' });
  }
  if (name.length === 0) errors.push({ type: 'Invalid', field, value: key, detail: 'name part must be non-empty' });
  else if (name.length > 63) errors.push({ type: 'Invalid', field, value: key, detail: 'name part must be no more than 63 characters' });
  else if (!LABEL_NAME.test(name)) errors.push({ type: 'Invalid', field, value: key, detail: QUALIFIED_NAME_MSG });
  return errors;
}

export function validateLabels(labels: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errors.push(...validateQualifiedName(k, 'metadata.labels'));
    const value = String(v);
    if (value.length > 63) errors.push({ type: 'Invalid', field: 'metadata.labels', value, detail: 'must be no more than 63 characters' });
    else if (!LABEL_VALUE.test(value)) errors.push({ type: 'Invalid', field: 'metadata.labels', value, detail: LABEL_VALUE_MSG });
  }
  return errors;
}

const MAX_ANNOTATIONS = 256 * 1024;

export function validateAnnotations(annotations: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    errors.push(...validateQualifiedName(k.toLowerCase(), 'metadata.annotations'));
    size += k.length + String(v).length;
  }
  if (size > MAX_ANNOTATIONS) errors.push({ type: 'TooLong', field: 'metadata.annotations', detail: `must have at most ${MAX_ANNOTATIONS} bytes` });
  return errors;
}

/** Labels and annotations of an object's metadata. */
export function validateMetadata(o: Record<string, unknown>): FieldError[] {
  const m = typeof o['metadata'] === 'object' && o['metadata'] !== null ? (o['metadata'] as Record<string, unknown>) : {};
  const map = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  return [...validateLabels(map(m['labels'])), ...validateAnnotations(map(m['annotations']))];
}
