// Limits too large for a readable fixture file, generated here, each way and version by version.
import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../agent/desired/index.js';
import { parseCalicoVersion, type CalicoVersion } from '../../agent/domain/index.js';

const v = (text: string) => parseCalicoVersion(text) as CalicoVersion;

function policy(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'limits', ...meta }, spec });
}

function errorsOf(content: string, version: string) {
  const r = buildDesiredState({ files: [{ path: 'p.yaml', content }], calicoVersion: v(version) });
  return r.errors.map((e) => `${e.path}: ${e.message}`);
}

const rules = (n: number) => Array.from({ length: n }, () => ({ action: 'Allow' }));
const nets = (n: number) => Array.from({ length: n }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
const ports = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const selector = (chars: number) => `a == "${'x'.repeat(chars - 7)}"`;

// Calico v3.33 (release-v3.33, api/pkg/apis/projectcalico/v3 after a30cddfe90): networkpolicy.go:70,76
// and globalnetworkpolicy.go:77,82 ingress/egress MaxItems=1024; policy_common.go:154,214 nets/notNets
// MaxItems=256; :208,225 ports/notPorts MaxItems=50; selectors MaxLength=1024 (globalnetworkpolicy.go:110,
// 148,152; policy_common.go:173,189,219). Up to v3.32 none of these exist.
describe('Calico v3.33 limits on rules, address lists and selectors', () => {
  const cases: ReadonlyArray<[string, Record<string, unknown>, Record<string, unknown>, string]> = [
    ['ingress rules', { ingress: rules(1024) }, { ingress: rules(1025) }, 'spec.ingress: 1025 ingress rules, more than the 1024 Calico v3.33+ allows'],
    ['egress rules', { egress: rules(1024) }, { egress: rules(1025) }, 'spec.egress: 1025 egress rules, more than the 1024 Calico v3.33+ allows'],
    ['rule nets', { ingress: [{ action: 'Allow', source: { nets: nets(256) } }] }, { ingress: [{ action: 'Allow', source: { nets: nets(257) } }] }, 'spec.ingress[0].source.nets: 257 nets entries, more than the 256 Calico v3.33+ allows'],
    ['rule notNets', { egress: [{ action: 'Allow', destination: { notNets: nets(256) } }] }, { egress: [{ action: 'Allow', destination: { notNets: nets(257) } }] }, 'spec.egress[0].destination.notNets: 257 notNets entries, more than the 256 Calico v3.33+ allows'],
    ['rule ports', { ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ports(50) } }] }, { ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ports(51) } }] }, 'spec.ingress[0].destination.ports: 51 ports entries, more than the 50 Calico v3.33+ allows'],
    ['policy selector', { selector: selector(1024) }, { selector: selector(1025) }, 'spec.selector: invalid selector: selector is 1025 characters long, more than the 1024 Calico allows (the excess starts at offset 1024)'],
    ['namespaceSelector', { namespaceSelector: selector(1024) }, { namespaceSelector: selector(1025) }, 'spec.namespaceSelector: invalid selector: selector is 1025 characters long, more than the 1024 Calico allows (the excess starts at offset 1024)'],
    ['rule notSelector', { ingress: [{ action: 'Allow', source: { notSelector: selector(1024) } }] }, { ingress: [{ action: 'Allow', source: { notSelector: selector(1025) } }] }, 'spec.ingress[0].source.notSelector: invalid selector: selector is 1025 characters long, more than the 1024 Calico allows (the excess starts at offset 1024)'],
  ];

  it.each(cases)('%s: at the limit passes on v3.33, one over fails there and passes on v3.32', (_name, fits, over, message) => {
    expect(errorsOf(policy(fits), 'v3.33.0')).toEqual([]);
    expect(errorsOf(policy(over), 'v3.33.0')).toEqual([message]);
    expect(errorsOf(policy(over), 'v3.32.0')).toEqual([]);
    expect(errorsOf(policy(over), 'v3.31.2')).toEqual([]);
  });

  it('leaves a rule serviceAccounts.selector without a cap (policy_common.go:254 has no MaxLength)', () => {
    const spec = { ingress: [{ action: 'Allow', source: { serviceAccounts: { selector: selector(3000) } } }] };
    expect(errorsOf(policy(spec), 'v3.33.0')).toEqual([]);
  });

  it('caps a services name at 253 characters from v3.33 (policy_common.go:236)', () => {
    const spec = (name: string) => ({ egress: [{ action: 'Allow', destination: { services: { name, namespace: 'default' } } }] });
    const long = 'a'.repeat(254);
    expect(errorsOf(policy(spec('a'.repeat(253))), 'v3.33.0')).toEqual([]);
    expect(errorsOf(policy(spec(long)), 'v3.33.0')).toEqual(['spec.egress[0].destination.services.name: services name is 254 characters long, more than the 253 Calico v3.33+ allows']);
    expect(errorsOf(policy(spec(long)), 'v3.31.2')).toEqual([]);
  });
});

// libcalico-go lib/validator/v3/validator.go:48 (totalAnnotationSizeLimitB = 256 KiB) and :2144-2168:
// keys plus values, counted in bytes, on the resource and on each rule's metadata.
describe('total annotation size', () => {
  const LIMIT = 256 * 1024;
  const annotations = (total: number) => ({ 'example.com/blob': 'x'.repeat(total - 'example.com/blob'.length) });

  it.each([['metadata'], ['rule metadata']])('%s: 256 KiB passes, one byte more fails', (where) => {
    const make = (total: number) =>
      where === 'metadata'
        ? policy({ selector: 'all()' }, { annotations: annotations(total) })
        : policy({ ingress: [{ action: 'Allow', metadata: { annotations: annotations(total) } }] });
    expect(errorsOf(make(LIMIT), 'v3.31.2')).toEqual([]);
    const path = where === 'metadata' ? 'metadata.annotations' : 'spec.ingress[0].metadata.annotations';
    expect(errorsOf(make(LIMIT + 1), 'v3.31.2')).toEqual([`${path}: annotations total 262145 bytes (keys and values), more than the 262144 Calico allows, by 1`]);
  });
});

// HTTP match limits from v3.32 (api policy_common.go:87-108 at v3.32.0: methods and paths
// MaxItems=20, exact/prefix MaxLength=1024).
describe('HTTP match limits (v3.32+)', () => {
  const http = (match: Record<string, unknown>) => policy({ ingress: [{ action: 'Allow', protocol: 'TCP', http: match }] });
  const methods = (n: number) => Array.from({ length: n }, (_, i) => `M${i}`);
  const paths = (n: number) => Array.from({ length: n }, (_, i) => ({ exact: `/p${i}` }));

  it.each([
    ['methods', { methods: methods(20) }, { methods: methods(21) }, 'spec.ingress[0].http.methods: at most 20 HTTP methods are allowed (Calico v3.32+), got 21'],
    ['paths', { paths: paths(20) }, { paths: paths(21) }, 'spec.ingress[0].http.paths: at most 20 HTTP paths are allowed (Calico v3.32+), got 21'],
    ['path length', { paths: [{ prefix: `/${'a'.repeat(1023)}` }] }, { paths: [{ prefix: `/${'a'.repeat(1024)}` }] }, 'spec.ingress[0].http.paths[0].prefix: path is 1025 characters long, more than the 1024 Calico v3.32+ allows'],
  ] as const)('%s', (_name, fits, over, message) => {
    expect(errorsOf(http(fits), 'v3.32.0')).toEqual([]);
    expect(errorsOf(http(over), 'v3.32.0')).toEqual([message]);
    expect(errorsOf(http(over), 'v3.31.2')).toEqual([]);
  });
});
