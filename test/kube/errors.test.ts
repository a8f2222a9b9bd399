import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { toKubeError } from '../../agent/kube/errors.js';
import { KubeError } from '../../agent/domain/errors.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiIsImtpZCI6InNlY3JldCJ9.c2VjcmV0LXRva2Vu';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

describe('toKubeError', () => {
  it.each([
    [new ApiException(403, 'Unknown API Status Code!', status(403, 'Forbidden', 'networkpolicies.crd.projectcalico.org is forbidden: User "system:serviceaccount:a:b" cannot list resource'), headers), 403, 'Forbidden', 'forbidden', 'stalled', /cannot list resource/],
    [new ApiException(409, 'x', status(409, 'Conflict', 'the object has been modified'), headers), 409, 'Conflict', 'conflict', 'transient', /has been modified/],
    [new ApiException(404, 'x', status(404, 'NotFound', 'leases.coordination.k8s.io "x" not found'), headers), 404, 'NotFound', 'not-found', 'transient', /not found/],
    [new ApiException(401, 'Unauthorized', undefined, headers), 401, 'Unauthorized', 'unauthorized', 'stalled', /rejected the credentials/],
    [new ApiException(500, 'x', 'plain text failure', headers), 500, 'InternalError', 'internalerror', 'transient', /plain text failure/],
    [new ApiException(422, 'x', { kind: 'Status', reason: 'Invalid', message: 'spec.x: Invalid value' }, headers), 422, 'Invalid', 'invalid', 'stalled', /Invalid value/],
    [Object.assign(new Error('Gone'), { statusCode: 410 }), 410, 'Expired', 'expired', 'transient', /410/],
    [Object.assign(new Error('request to https://10.0.0.1/apis failed, reason: connect ECONNREFUSED'), { name: 'FetchError', code: 'ECONNREFUSED', errno: 'ECONNREFUSED', type: 'system' }), 0, 'Unreachable', 'unreachable', 'transient', /cannot reach the Kubernetes API server at https:\/\/k8s:6443 \(ECONNREFUSED\)/],
    [Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }), 0, 'Unreachable', 'unreachable', 'transient', /ENOTFOUND/],
  ])('%#: status %i reason %s code %s (%s)', (err, wantStatus, wantReason, wantCode, disposition, message) => {
    const e = toKubeError(err, { action: 'list things', server: 'https://k8s:6443' });
    expect(e).toBeInstanceOf(KubeError);
    expect({ status: e.status, reason: e.reason, code: e.code, disposition: e.disposition }).toEqual({ status: wantStatus, reason: wantReason, code: wantCode, disposition });
    expect(e.message).toMatch(/^list things: /);
    expect(e.message).toMatch(message);
    // Neither the message, nor the serialized error, nor the kept cause carries headers or tokens.
    const everything = JSON.stringify({ m: e.message, j: e.toJSON(), c: e.cause, s: e.stack });
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toMatch(/Headers|authorization/i);
  });

  it('redacts a token a server echoes in its Status message', () => {
    const e = toKubeError(new ApiException(400, 'x', status(400, 'BadRequest', `bad header Authorization: Bearer ${TOKEN}`), headers));
    expect(e.message).not.toContain(TOKEN);
    expect(e.message).toContain('***');
  });

  it('passes KubeErrors through', () => {
    const e = new KubeError('x', { status: 403, reason: 'Forbidden' });
    expect(toKubeError(e)).toBe(e);
  });
});
