// docs/plugins/ai-proxy.md's "What it maps and drops" table must say what the OpenAI → Converse pair does
// with each field (src/translators/openai-bedrock/fields.ts), and name no field the pair doesn't know.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { FIELDS } from '../../packages/plugin-ai-proxy/src/translators/openai-bedrock/fields.js';

const doc = readFileSync(new URL('../../docs/plugins/ai-proxy.md', import.meta.url), 'utf8');
const start = doc.indexOf('### What it maps and drops');
const table = doc.slice(start, doc.indexOf('\n\n', doc.indexOf('| field |', start)));
/** Each row's field names (first cell) and action (second cell). */
const rows = table.split('\n').filter((line) => line.startsWith('| `')).map((line) => {
  const [fields, action] = line.split(' | ');
  return { names: [...fields!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!), action: action!.trim() };
});

describe('docs/plugins/ai-proxy.md, OpenAI fields', () => {
  it.each(Object.entries(FIELDS))('%s', (name, policy) => {
    const row = rows.find((r) => r.names.includes(name));
    expect(row, name).toBeDefined();
    expect(row!.action.startsWith(policy.action)).toBe(true);
  });

  it('lists no field the pair does not know', () => {
    expect(rows.flatMap((r) => r.names).filter((name) => !(name in FIELDS))).toEqual([]);
  });
});
