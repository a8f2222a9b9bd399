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
