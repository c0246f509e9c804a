// docs/plugins/ai-proxy.md's "What it maps and drops" tables must say what each OpenAI-format pair does
// with each field (src/translators/openai-*/fields.ts), and name no field the pair doesn't know.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { FIELDS as CONVERSE } from '../../packages/plugin-ai-proxy/src/translators/openai-bedrock/fields.js';
import { FIELDS as ANTHROPIC } from '../../packages/plugin-ai-proxy/src/translators/openai-anthropic/fields.js';

const doc = readFileSync(new URL('../../docs/plugins/ai-proxy.md', import.meta.url), 'utf8');

/** Each row's field names (first cell) and action (second cell) of the table under `heading`. */
function rowsUnder(heading: string) {
  const start = doc.indexOf(`${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const table = doc.slice(start, doc.indexOf('\n\n', doc.indexOf('| field |', start)));
  return table.split('\n').filter((line) => line.startsWith('| `')).map((line) => {
    const [fields, action] = line.split(' | ');
    return { names: [...fields!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!), action: action!.trim() };
  });
}

describe.each([
  ['### What it maps and drops', CONVERSE],
  ['### What it maps and drops (Anthropic)', ANTHROPIC],
])('docs/plugins/ai-proxy.md, OpenAI fields: %s', (heading, fields) => {
  const rows = rowsUnder(heading);
  it.each(Object.entries(fields))('%s', (name, policy) => {
    const row = rows.find((r) => r.names.includes(name));
    expect(row, name).toBeDefined();
    expect(row!.action.startsWith(policy.action)).toBe(true);
  });

  it('lists no field the pair does not know', () => {
    expect(rows.flatMap((r) => r.names).filter((name) => !(name in fields))).toEqual([]);
  });
});
