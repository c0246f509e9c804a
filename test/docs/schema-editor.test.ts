// schemas/ is usable by editors as is: loading deck-file.schema.json from disk and resolving its
// relative $refs file by file (what yaml-language-server does with a `$schema=` modeline) validates the
// example decK file, and flags a typo.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../packages/core/package.json', import.meta.url));
const Ajv = require('ajv') as typeof import('ajv').default;
const yaml = require('js-yaml') as typeof import('js-yaml');
const schemas = new URL('../../schemas/', import.meta.url);
const example = new URL('../../examples/claude-code-bedrock/kong.yaml', import.meta.url);

async function editorValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false, loadSchema: async (uri) => JSON.parse(readFileSync(new URL(uri, schemas), 'utf8')) });
  return ajv.compileAsync(JSON.parse(readFileSync(new URL('deck-file.schema.json', schemas), 'utf8')));
}

describe('schemas/ in an editor', () => {
  it('declares the modeline in the example', () => {
    expect(readFileSync(example, 'utf8')).toContain('# yaml-language-server: $schema=../../schemas/deck-file.schema.json');
  });

  it('validates the example and flags an unknown route field', async () => {
    const validate = await editorValidator();
    const doc = yaml.load(readFileSync(example, 'utf8')) as { routes: Record<string, unknown>[] };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    doc.routes[0]!.strip_paht = false;
    expect(validate(doc)).toBe(false);
  });
});
