import { describe, expect, it } from 'vitest';
import { parseHistoryFilters, type HistoryFilterInput } from '../../agent/report/audit-filters.js';

const now = new Date('2026-11-24T12:00:00.000Z');

describe('parseHistoryFilters', () => {
  it.each<[string, HistoryFilterInput, Record<string, unknown>]>([
    ['no filter: the newest 50', {}, { limit: 50 }],
    ['a namespaced resource', { resource: 'NetworkPolicy/test1/allow-web' }, { resource: 'NetworkPolicy/test1/allow-web' }],
    ['a cluster-wide resource, kind in any case', { resource: 'globalnetworkpolicy//allow-ssh' }, { resource: 'GlobalNetworkPolicy//allow-ssh' }],
    ['a sha prefix, lower-cased', { sha: 'ABCDEF12' }, { revision: 'abcdef12' }],
    ['a duration ago', { since: '2h' }, { since: new Date('2026-11-24T10:00:00.000Z') }],
    ['minutes and seconds', { since: '1m30s' }, { since: new Date('2026-11-24T11:58:30.000Z') }],
    ['an RFC 3339 time with an offset', { since: '2026-11-24T13:00:00+02:00' }, { since: new Date('2026-11-24T11:00:00.000Z') }],
    ['a limit', { limit: '5' }, { limit: 5 }],
  ])('%s', (_name, input, expected) => {
    const result = parseHistoryFilters(input, now);
    expect(result).toEqual({ ok: true, query: { limit: 50, ...expected } });
  });

  it.each<[string, HistoryFilterInput, RegExp]>([
    ['two parts', { resource: 'GlobalNetworkPolicy/allow-ssh' }, /--resource must be KIND\/NAMESPACE\/NAME/],
    ['no name', { resource: 'NetworkPolicy/test1/' }, /--resource must be KIND\/NAMESPACE\/NAME/],
    ['an unknown kind', { resource: 'Pod/default/web' }, /--resource: unknown kind "Pod"; one of Tier, /],
    ['a sha that is not hex', { sha: 'main' }, /--sha must be a commit sha of 4 to 40 hex digits \(got "main"\)/],
    ['a sha too short', { sha: 'abc' }, /--sha must be/],
    ['a bare number', { since: '2' }, /--since must be a duration such as 30m or 2h/],
    ['a word', { since: 'yesterday' }, /--since must be a duration/],
    ['a date without a zone', { since: '2026-11-24T12:00:00' }, /--since must be/],
    ['a zero limit', { limit: '0' }, /--limit must be a whole number from 1 to 100000 \(got "0"\)/],
    ['a fractional limit', { limit: '2.5' }, /--limit must be a whole number/],
  ])('refuses %s', (_name, input, message) => {
    const result = parseHistoryFilters(input, now);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([expect.stringMatching(message)]);
  });

  it('lists every bad filter at once', () => {
    const result = parseHistoryFilters({ resource: 'x', sha: 'zz', since: 'soon', limit: '-1' }, now);
    expect(result.ok ? [] : result.errors.map((e) => e.split(' ')[0])).toEqual(['--resource', '--sha', '--since', '--limit']);
  });
});
