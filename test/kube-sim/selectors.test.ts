import { describe, expect, it } from 'vitest';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError } from './status.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'example.com/team': 'a' };
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['example.com/team=a,tier=front', true],
    ['app=web,tier=back', false],
    ['app in (web, db),tier', true],
  ])('%j matches: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app=(x', 'a b c', '=x'])('rejects %j with a 400', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(ApiError);
  });
});

describe('field selectors', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  it.each([
    ['metadata.name=p', true],
    ['metadata.name==p', true],
    ['metadata.name!=p', false],
    ['status.phase=Running,spec.nodeName=n1', true],
    ['status.phase=Succeeded', false],
    ['spec.nodeName=', false],
  ])('%j matches: %s', (selector, expected) => {
    expect(matchesFields(parseFieldSelector(selector, ['metadata.name', 'status.phase', 'spec.nodeName']), pod)).toBe(expected);
  });

  it('rejects a field the type does not support', () => {
    expect(() => parseFieldSelector('spec.restartPolicy=Never', ['metadata.name'])).toThrow('field label not supported: spec.restartPolicy');
  });
});
