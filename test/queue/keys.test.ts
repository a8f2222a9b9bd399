import { describe, expect, it } from 'vitest';
import { queuePrefix, redisKeys } from '../../agent/queue/keys.js';

/** The part of a key Redis Cluster hashes: the first {…} with something inside, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

const prefix = queuePrefix('prod-eu');
const sha = 'a'.repeat(40);

describe('redisKeys', () => {
  it.each(Object.entries(redisKeys))('%s carries the cluster hash tag', (_name, build) => {
    const key = (build as (p: typeof prefix, x: string) => string)(prefix, sha);
    expect(key.startsWith('{calico-gitops:prod-eu}:')).toBe(true);
    expect(hashTag(key)).toBe('calico-gitops:prod-eu');
  });

  it.each(['a{b', 'a}b', '{x}'])('refuses a cluster name with a brace: %s', (name) => {
    expect(() => queuePrefix(name)).toThrow(/may not contain \{ or \}/);
  });
});
