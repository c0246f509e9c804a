export * from './plugin.js';
export * from './context.js';
export * from './entities.js';
export * from './log-record.js';
export * from './errors.js';
export * from './json.js';
export * from './dotted-key.js';
export * from './package-version.js';
