export { default, fileLog, type FileLogState } from './plugin.js';
export { configSchema, validateConfig, KONG_FILENAME, INVALID_FILENAME, LUA_UNSUPPORTED, type FileLogConfig } from './config.js';
export { applyCustomFields, compileCustomFields, splitFieldKey, type CustomField } from './custom-fields.js';
export { acquireWriter, openWriterPaths, type WriterHandle, type AcquireOptions } from './writer.js';
export { createLineWriter, WRITER_DEFAULTS, type LineWriter, type LineWriterOptions, type WriterStats } from './line-writer.js';
