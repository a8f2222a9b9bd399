// The one place agent/live depends on agent/desired: both sides normalize with the same code.
import { normalizeManifest, resourceHash } from '../desired/normalize.js';
import type { Normalizer } from './normalizer.js';

export const desiredNormalizer: Normalizer = { normalize: normalizeManifest, hash: resourceHash };
