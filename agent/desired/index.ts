// The desired-state stage (DESIGN.md): public API.
export { buildDesiredState, withSourceIssues, type BuildDesiredInput, type DesiredResult } from './build-desired.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { normalizeManifest, resourceHash } from './normalize.js';
export type { DocumentView, Path, PathSegment, Position, RuleIssue } from './document.js';
export { formatPath } from './path.js';
