/**
 * An ai-proxy config as gw's loader would hand it to the plugin: the test's fields, with every default
 * filled in from the plugin's own JSON Schema (the single source), never restated here.
 */
import { createRequire } from 'node:module';
import { configSchema } from '../../src/config/schema.js';
import type { AiProxyConfig } from '../../src/config/types.js';

// ajv is core's dependency (core compiles plugin schemas); borrow it to fill defaults the way core does.
const Ajv = createRequire(new URL('../../../core/package.json', import.meta.url))('ajv') as new (options: object) => {
  compile(schema: object): (data: unknown) => boolean;
};
const fillDefaults = new Ajv({ useDefaults: true, strict: false }).compile(configSchema);

type Fields = Omit<Partial<AiProxyConfig>, 'model'> & { model: AiProxyConfig['model'] };

export function aiProxyConfig(fields: Fields): AiProxyConfig {
  const config = structuredClone({ route_type: 'llm/v1/chat', llm_format: 'anthropic', ...fields }) as AiProxyConfig;
  fillDefaults(config);
  return config;
}
