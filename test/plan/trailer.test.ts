import { describe, expect, it } from 'vitest';
import { parseAllowDeleteTrailer } from '../../agent/plan/trailer.js';

describe('parseAllowDeleteTrailer', () => {
  it.each([
    ['remove old policies\n\nCalico-GitOps-Allow-Delete: 3', 3],
    ['subject\n\nbody text\n\nSigned-off-by: A <a@b>\nCalico-GitOps-Allow-Delete: 12\n', 12],
    ['subject\n\ncalico-gitops-allow-delete:7', 7],
    ['subject\r\n\r\nCalico-GitOps-Allow-Delete: 2\r\n', 2],
    ['subject\n\nCalico-GitOps-Allow-Delete: 1\nCalico-GitOps-Allow-Delete: 4', 4],
    ['subject\n\nCalico-GitOps-Allow-Delete: 0', 0],
    // Not a trailer: in the subject, in the body, or not a whole number.
    ['Calico-GitOps-Allow-Delete: 3', undefined],
    ['subject\n\nCalico-GitOps-Allow-Delete: 3\n\nthe last paragraph is prose', undefined],
    ['subject\n\nCalico-GitOps-Allow-Delete: -1', undefined],
    ['subject\n\nCalico-GitOps-Allow-Delete: 2.5', undefined],
    ['subject\n\nCalico-GitOps-Allow-Delete: all', undefined],
    ['subject\n\nCalico-GitOps-Allow-Deletes: 3', undefined],
    ['', undefined],
  ])('%j → %s', (message, want) => {
    expect(parseAllowDeleteTrailer(message)).toBe(want);
  });
});
