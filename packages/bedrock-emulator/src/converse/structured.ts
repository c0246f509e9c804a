// A small, deterministic instance of a JSON schema: what the emulator answers a structured-output request
// (`outputConfig.textFormat`) with, so a client can parse the answer as the schema promises.

type Schema = Record<string, unknown>;
const isObject = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

export function schemaInstance(schema: unknown, depth = 0): unknown {
  if (!isObject(schema) || depth > 8) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return schemaInstance(options[0], depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const out: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(properties)) out[name] = schemaInstance(sub, depth + 1);
      return out;
    }
    case 'array':
      return schema.items === undefined ? [] : [schemaInstance(schema.items, depth + 1)];
    case 'string':
      return 'emulator';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return isObject(schema.properties) ? schemaInstance({ ...schema, type: 'object' }, depth) : null;
  }
}
