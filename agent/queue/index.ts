export * from './keys.js';
export * from './connection.js';
export * from './revision-store.js';
export * from './sync-queue.js';
export * from './worker.js';
