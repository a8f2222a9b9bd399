import { describe, expect, it } from 'vitest';
import {
  CacheNotSyncedError,
  ConfigError,
  dispositionOf,
  KubeError,
  SourceError,
  toSerializedError,
  ValidationError,
} from '../../agent/domain/errors.js';

describe('error family', () => {
  it.each([
    [new ConfigError('x'), 'ConfigError', 'config', 'stalled'],
    [new ValidationError('x'), 'ValidationError', 'invalid', 'stalled'],
    [new SourceError('x'), 'SourceError', 'source', 'transient'],
    [new CacheNotSyncedError('x'), 'CacheNotSyncedError', 'cache-unsynced', 'waiting'],
    [new KubeError('x', { status: 403, reason: 'Forbidden' }), 'KubeError', 'forbidden', 'stalled'],
    [new KubeError('x', { status: 409, reason: 'Conflict' }), 'KubeError', 'conflict', 'transient'],
    [new KubeError('x', { status: 503, reason: 'ServiceUnavailable' }), 'KubeError', 'serviceunavailable', 'transient'],
  ])('%s serializes with a stable name, code and disposition', (err, name, code, disposition) => {
    expect(toSerializedError(err)).toEqual({ name, code, message: 'x', disposition });
    // Survives a round trip through JSON (as across Redis) and is still classified.
    expect(dispositionOf(JSON.parse(JSON.stringify(err)))).toBe(disposition);
  });

  it('keeps the cause', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new SourceError('fetch failed', { cause }).cause).toBe(cause);
  });

  it('treats unknown errors as transient and bullmq UnrecoverableError as stalled', () => {
    expect(dispositionOf(new Error('boom'))).toBe('transient');
    const unrecoverable = Object.assign(new Error('no'), { name: 'UnrecoverableError' });
    expect(dispositionOf(unrecoverable)).toBe('stalled');
    expect(dispositionOf('a string')).toBe('transient');
  });
});
