// Kubernetes/Calico name formats.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Lower-case DNS-1123 label: at most 63 characters, no dots. */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

/** Lower-case DNS-1123 subdomain: labels joined by dots, at most 253 characters. */
export function isDnsSubdomain(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((part) => part.length > 0 && DNS_LABEL.test(part));
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A label (or annotation) key: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return `prefix "${prefix}" must be a lower-case DNS subdomain`;
  if (name.length === 0 || name.length > 63) return 'name part must be 1 to 63 characters';
  if (!LABEL_NAME.test(name)) return 'name part must be alphanumeric, "-", "_" or ".", starting and ending with an alphanumeric';
  return undefined;
}

/** A label value: empty, or ≤ 63 characters of the label-name alphabet. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return 'must be at most 63 characters';
  if (!LABEL_NAME.test(value)) return 'must be alphanumeric, "-", "_" or ".", starting and ending with an alphanumeric';
  return undefined;
}

/** IANA service name as Kubernetes and Calico accept for named ports. */
export function isPortName(name: string): boolean {
  return name.length >= 1 && name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

const CALICO_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Calico's `name` tag (libcalico-go lib/validator/v3/validator.go:408, validateName): the
 * DNS-1123 subdomain pattern with no length limit of its own.
 */
export function isCalicoName(name: string): boolean {
  return CALICO_NAME.test(name);
}
