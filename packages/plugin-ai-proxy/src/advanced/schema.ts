import { readFileSync } from 'node:fs';
import type { JsonSchema } from '@gw/plugin-api';
import { configSchema as aiProxySchema } from '../config/schema.js';

type Node = Record<string, unknown>;

/**
 * ai-proxy-advanced's JSON Schema (schema/advanced.schema.json): Kong's record, where every node marked
 * `x-from: <field>` is ai-proxy's own `<field>` (config.schema.json), so a target's model, auth and logging
 * are checked exactly as ai-proxy checks them. Composed once at module load.
 */
export const advancedConfigSchema: JsonSchema = compose(
  JSON.parse(readFileSync(new URL('../../schema/advanced.schema.json', import.meta.url), 'utf8')) as Node,
  (aiProxySchema as { properties: Record<string, Node> }).properties,
) as JsonSchema;

function compose(node: Node, from: Record<string, Node>): Node {
  const source = node['x-from'];
  if (typeof source === 'string') {
    const found = from[source];
    if (found === undefined) throw new Error(`advanced.schema.json: x-from '${source}' is not an ai-proxy field`);
    return found;
  }
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = value !== null && typeof value === 'object' && !Array.isArray(value) ? compose(value as Node, from) : value;
  }
  return out;
}
