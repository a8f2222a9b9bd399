import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { cidrContains, formatCidr, formatIp, isStrictSubset, parseCidr, parseIp } from '../../agent/desired/rules/k8s-cidr.js';
import type { Cidr } from '../../agent/desired/rules/k8s-cidr.js';
import {
  checkDns1123Label,
  checkDns1123Subdomain,
  checkLabelValue,
  checkPortName,
  checkPortNumber,
  checkQualifiedName,
} from '../../agent/desired/rules/k8s-names.js';

describe('k8s-names', () => {
  it.each([
    ['app', true],
    ['App_1.x-y', true],
    ['kubernetes.io/metadata.name', true],
    ['example.com/MyName', true],
    ['a', true],
    ['9', true],
    ['k'.repeat(63), true],
    ['k'.repeat(64), false],
    ['', false],
    ['-app', false],
    ['app-', false],
    ['my app', false],
    ['a/b/c', false],
    ['/app', false],
    ['app/', false],
    ['Example.com/app', false],
    ['exa_mple.com/app', false],
    [`${'p'.repeat(254)}/app`, false],
    [`${'p'.repeat(253)}/app`, true],
  ])('qualified name %j valid=%s', (key, valid) => {
    expect(checkQualifiedName(key).length === 0).toBe(valid);
  });

  it.each([
    ['', true],
    ['web', true],
    ['My_Value-1.2', true],
    ['v'.repeat(63), true],
    ['v'.repeat(64), false],
    ['-web', false],
    ['web.', false],
    ['a b', false],
    ['a/b', false],
  ])('label value %j valid=%s', (value, valid) => {
    expect(checkLabelValue(value).length === 0).toBe(valid);
  });

  it.each([
    ['test1', true, true],
    ['kube-system', true, true],
    ['a.b', false, true],
    ['A', false, false],
    ['-a', false, false],
    ['a'.repeat(63), true, true],
    ['a'.repeat(64), false, true],
    ['', false, false],
  ])('DNS-1123 %j label=%s subdomain=%s', (value, label, subdomain) => {
    expect(checkDns1123Label(value).length === 0).toBe(label);
    expect(checkDns1123Subdomain(value).length === 0).toBe(subdomain);
  });

  it.each<[string, string[]]>([
    ['http', []],
    ['http-alt', []],
    ['h2c', []],
    ['a', []],
    ['abcdefghij-1234', []],
    ['abcdefghij-12345', ['must be no more than 15 characters']],
    ['80', ['must contain at least one letter (a-z)']],
    ['HTTP', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['my--port', ['must not contain consecutive hyphens']],
    ['-web', ['must not begin or end with a hyphen']],
    ['web_1', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
  ])('port name %j', (name, problems) => {
    expect(checkPortName(name)).toEqual(problems);
  });

  it.each([
    [1, true],
    [65535, true],
    [0, false],
    [65536, false],
    [-5, false],
    [8.5, false],
  ])('port number %d valid=%s', (n, valid) => {
    expect(checkPortNumber(n).length === 0).toBe(valid);
  });
});

function cidr(text: string): Cidr {
  const r = parseCidr(text, { allowBareIp: true });
  if (!r.ok) throw new Error(r.message);
  return r.cidr;
}

describe('k8s-cidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8', false],
    ['10.1.2.3/8', '10.0.0.0/8', true],
    ['0.0.0.0/0', '0.0.0.0/0', false],
    ['192.168.1.1/32', '192.168.1.1/32', false],
    ['172.16.5.4/12', '172.16.0.0/12', true],
    ['10.0.0.129/25', '10.0.0.128/25', true],
    ['2001:db8::/32', '2001:db8::/32', false],
    ['2001:DB8:0:0:0:0:0:1/64', '2001:db8::/64', true],
    ['::/0', '::/0', false],
    ['::1/128', '::1/128', false],
    ['fe80::1:2/10', 'fe80::/10', true],
    ['1:0:0:1:0:0:0:1/128', '1:0:0:1::1/128', false],
    ['1:2:3:4:5:6:7:8/128', '1:2:3:4:5:6:7:8/128', false],
    ['1:0:2:3:4:5:6:7/128', '1:0:2:3:4:5:6:7/128', false],
    ['::ffff:10.0.0.0/104', '::ffff:a00:0/104', false],
    ['10.0.0.1', '10.0.0.1/32', false],
    ['2001:db8::1', '2001:db8::1/128', false],
  ])('%s -> %s (host bits %s)', (text, canonical, hostBits) => {
    const c = cidr(text);
    expect(formatCidr(c)).toBe(canonical);
    expect(c.hostBitsSet).toBe(hostBits);
  });

  it.each([
    ['10.0.0.0', { allowBareIp: false }, 'the "/prefix-length" is missing'],
    ['10.0.0/8', {}, 'is not an IP address'],
    ['10.0.0.0.0/8', {}, 'is not an IP address'],
    ['256.0.0.0/8', {}, 'is not an IP address'],
    ['10.0.0.0/', {}, 'prefix length must be a number from 0 to 32'],
    ['10.0.0.0/-1', {}, 'prefix length'],
    ['10.0.0.0/8/8', {}, 'prefix length'],
    ['10.0.0.0/ 8', {}, 'prefix length'],
    [' 10.0.0.0/8', {}, 'is not an IP address'],
    ['1:2:3:4:5:6:7:8:9/64', {}, 'is not an IP address'],
    ['1::2::3/64', {}, 'is not an IP address'],
    ['1:2:3:4:5:6:7::8/128', {}, 'is not an IP address'],
    ['12345::/16', {}, 'is not an IP address'],
    ['g::/16', {}, 'is not an IP address'],
    ['fe80::1%eth0/64', {}, 'is not an IP address'],
    ['::ffff:1.2.3/96', {}, 'is not an IP address'],
    ['', {}, 'is not an IP address'],
    ['localhost/8', {}, 'is not an IP address'],
  ])('%j is refused', (text, opts, message) => {
    const r = parseCidr(text, opts);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('notes leading zeros in IPv4 octets', () => {
    expect(cidr('010.001.0.0/16').leadingZeros).toBe(true);
    expect(cidr('10.1.0.0/16').leadingZeros).toBe(false);
    expect(cidr('0.0.0.0/0').leadingZeros).toBe(false);
  });

  it.each([
    ['10.0.0.0/8', '10.1.0.0/16', true, true],
    ['10.0.0.0/8', '10.0.0.0/8', true, false],
    ['10.0.0.0/16', '10.1.0.0/24', false, false],
    ['10.0.0.0/24', '10.0.0.0/16', false, false],
    ['0.0.0.0/0', '255.255.255.255/32', true, true],
    ['0.0.0.0/0', '::/0', false, false],
    ['2001:db8::/32', '2001:db8:ffff::/48', true, true],
    ['2001:db8::/32', '2001:db9::/48', false, false],
    ['10.0.0.0/9', '10.128.0.0/16', false, false],
    ['10.0.0.0/9', '10.127.0.0/16', true, true],
  ])('%s contains %s: %s (strict subset: %s)', (outer, inner, contains, strict) => {
    expect(cidrContains(cidr(outer), cidr(inner))).toBe(contains);
    expect(isStrictSubset(cidr(outer), cidr(inner))).toBe(strict);
  });

  it('formats and re-parses any IPv6 address to the same bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), { minLength: 16, maxLength: 16 }), (bytes) => {
        const text = formatIp(bytes);
        expect(parseIp(text)?.bytes).toEqual(bytes);
        // RFC 5952: no ":::" and at most one "::".
        expect(text.split('::').length).toBeLessThanOrEqual(2);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Node for IPv6 text it can produce', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const ours = parseIp(text);
        expect(ours, text).toBeDefined();
        // Node's URL parser canonicalizes IPv6 hosts per RFC 5952, as formatIp does.
        expect(formatIp(ours?.bytes ?? [])).toBe(new URL(`http://[${text}]/`).hostname.slice(1, -1));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with fast-check IPv4 addresses', () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        expect(formatIp(parseIp(text)?.bytes ?? [])).toBe(text);
      }),
    );
  });
});
