// The Git source stage: everything that touches git lives here; downstream gets plain Snapshots.
export * from './git-source.js';
export * from './git-auth.js';
export * from './git-errors.js';
export * from './ignore-rules.js';
export * from './webhook-verify.js';
export * from './push-event.js';
export * from './webhook-check.js';
export * from './dir-watcher.js';
export * from './watch-rerun.js';
export * from './revert.js';
