export * from './job-kinds.js';
export * from './ports.js';
export * from './audit.js';
export * from './settle.js';
export * from './pipeline.js';
