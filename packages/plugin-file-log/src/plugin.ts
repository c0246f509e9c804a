/**
 * file-log (Kong PRIORITY 9, log phase only): one JSON line per request, appended to `path`.
 * `log` only serializes and queues; the shared writer (writer.ts) does the I/O off the request path.
 */
import { resolve } from 'node:path';
import { definePlugin, packageVersion, type Logger } from '@gw/plugin-api';
import { configSchema, validateConfig, type FileLogConfig } from './config.js';
import { applyCustomFields, compileCustomFields, type CustomField } from './custom-fields.js';
import { acquireWriter, type WriterHandle } from './writer.js';

export interface FileLogState {
  writer: WriterHandle;
  fields: CustomField[];
  logger: Logger;
  /** Records JSON.stringify refused (a BigInt or a cycle put there by some plugin). */
  unserializable: number;
}

export const fileLog = definePlugin<FileLogConfig, FileLogState>({
  name: 'file-log',
  version: packageVersion(import.meta.url),
  priority: 9,
  configSchema,
  validate: validateConfig,
  init(config, services) {
    const path = resolve(services.configDir, config.path);
    return {
      writer: acquireWriter(path, { logger: services.logger, reopen: config.reopen }),
      fields: compileCustomFields(config.custom_fields),
      logger: services.logger,
      unserializable: 0,
    };
  },
  log({ record, state }) {
    let line: string;
    try {
      line = JSON.stringify(applyCustomFields(record, state.fields));
    } catch (error) {
      // Report the first one only, by kind: the message could quote record content.
      if (state.unserializable++ === 0) {
        const kind = error instanceof Error ? error.name : 'error';
        state.logger.error(`file-log: a record for ${state.writer.path} could not be serialized (${kind}); it was skipped`);
      }
      return;
    }
    state.writer.write(line);
  },
  reopen: (state) => state.writer.reopen(),
  close: (state) => state.writer.release(),
});

export default fileLog;
