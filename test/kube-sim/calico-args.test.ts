import { describe, it, expect } from 'vitest';
import { parseCalicoctlArgs } from './calico/args.js';

describe('calicoctl argument parsing', () => {
  it.each([
    [['apply', '-f', '/m/apply.yaml'], { verb: 'apply', filename: '/m/apply.yaml', allowVersionMismatch: false }],
    [['apply', '--filename=/m/a.yaml'], { verb: 'apply', filename: '/m/a.yaml' }],
    [['apply', '-f/m/a.yaml'], { verb: 'apply', filename: '/m/a.yaml' }],
    [['--allow-version-mismatch', 'apply', '-f', 'x'], { verb: 'apply', allowVersionMismatch: true }],
    [['apply', '-f', 'x', '--allow-version-mismatch'], { verb: 'apply', allowVersionMismatch: true }],
    [['delete', '-f', 'x', '--skip-not-exists'], { verb: 'delete', filename: 'x', skipNotExists: true }],
    [['delete', 'gnp', 'a', 'b'], { verb: 'delete', kind: 'gnp', names: ['a', 'b'] }],
    [['get', 'networkpolicy', '-n', 'test1', '-o', 'yaml'], { verb: 'get', kind: 'networkpolicy', namespace: 'test1', output: 'yaml', names: [] }],
    [['get', 'gnp', '-A', '-o', 'json'], { verb: 'get', allNamespaces: true, output: 'json' }],
    [['get', 'gnp'], { verb: 'get', output: 'ps' }],
    [['version'], { verb: 'version' }],
    [['validate', '-f', 'x'], { verb: 'validate', filename: 'x' }],
  ])('parses %j', (argv, expected) => {
    const parsed = parseCalicoctlArgs(argv);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.command).toMatchObject(expected);
  });

  it.each([
    [['apply'], /Invalid option: 'calicoctl apply'/],
    [['apply', '-f'], /Invalid option/],
    [['apply', '-f', 'x', '--bogus'], /Invalid option: 'calicoctl apply -f x --bogus'/],
    [['delete', 'gnp'], /Invalid option/],
    [['get'], /Invalid option/],
    [['frobnicate'], /unknown command: "frobnicate"/],
    [['get', 'gnp', '-o', 'xml'], /unrecognized output format 'xml'/],
    [[], /Invalid option/],
  ])('rejects %j', (argv, message) => {
    const parsed = parseCalicoctlArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});
