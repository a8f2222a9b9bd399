import { describe, expect, it } from 'vitest';
import { apiModeFromGroups, storageFor } from '../../agent/kube/detect.js';

describe('apiModeFromGroups', () => {
  it.each([
    [['apps', 'crd.projectcalico.org', 'projectcalico.org'], 'apiserver'],
    [['projectcalico.org', 'networking.k8s.io'], 'native-v3'],
    [['crd.projectcalico.org', 'networking.k8s.io'], 'crd'],
    [['networking.k8s.io'], undefined],
    [[], undefined],
  ])('%j → %s', (groups, want) => {
    expect(apiModeFromGroups(groups)).toBe(want);
  });

  it.each([
    ['crd', { group: 'crd.projectcalico.org', version: 'v1' }],
    ['apiserver', { group: 'projectcalico.org', version: 'v3' }],
    ['native-v3', { group: 'projectcalico.org', version: 'v3' }],
  ] as const)('reads %s clusters from %j', (mode, want) => {
    expect(storageFor(mode)).toEqual(want);
  });
});
