/**
 * The pair table (translators/index.ts) is the one list of what ai-proxy supports: `gw sync` refuses any
 * other (llm_format, provider) naming the pairs it has, and nothing outside a translator or a backend
 * decides by the provider's or the format's name.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGw } from '../../../cli/test/support/gw-process.js';
import { TRANSLATORS, supportedPairs, translatorFor } from '../../src/translators/index.js';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the (llm_format, provider) pair table', () => {
  it('has one translator per pair, each with its format and backend', () => {
    expect(supportedPairs()).toEqual(['anthropic → bedrock', 'anthropic → anthropic', 'openai → bedrock', 'openai → openai', 'openai → anthropic', 'bedrock → bedrock']);
    // One translator per (format, backend, route type); a pair serving two route types is listed once.
    const keys = TRANSLATORS.flatMap((t) => t.routeTypes.map((routeType) => `${t.format.name} ${t.backend.name} ${routeType}`));
    expect(new Set(keys).size).toBe(keys.length);
    expect(translatorFor('anthropic', 'bedrock', 'llm/v1/chat')?.backend.name).toBe('bedrock');
    expect(translatorFor('anthropic', 'anthropic', 'llm/v1/chat')?.format.name).toBe('anthropic');
    expect(translatorFor('openai', 'bedrock', 'llm/v1/chat')?.format.name).toBe('openai');
    expect(translatorFor('openai', 'bedrock', 'llm/v1/embeddings')?.routeTypes).toEqual(['llm/v1/embeddings']);
    expect(translatorFor('anthropic', 'bedrock', 'llm/v1/embeddings')).toBeUndefined();
    expect(translatorFor('openai', 'openai', 'llm/v1/chat')?.backend.name).toBe('openai');
    expect(translatorFor('openai', 'openai', 'llm/v1/embeddings')?.routeTypes).toEqual(['llm/v1/embeddings']);
    expect(translatorFor('openai', 'anthropic', 'llm/v1/chat')?.backend.name).toBe('anthropic');
    expect(translatorFor('bedrock', 'bedrock', 'llm/v1/chat')?.format.name).toBe('bedrock');
    expect(translatorFor('cohere', 'bedrock', 'llm/v1/chat')).toBeUndefined();
  });

  it('gw sync refuses a pair gw lacks (llm_format cohere with provider bedrock), at its line, naming the supported pairs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-pairs-'));
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, [
      '_format_version: "3.0"',
      'services:',
      '  - name: llm',
      '    url: http://127.0.0.1:9',
      '    routes:',
      '      - name: chat',
      '        paths: [/chat]',
      '        plugins:',
      '          - name: ai-proxy',
      '            config:',
      '              route_type: llm/v1/chat',
      '              llm_format: cohere',
      '              model:',
      '                provider: bedrock',
      '                name: us.anthropic.claude-haiku-4-5-20251001-v1:0',
      '                options: { bedrock: { aws_region: us-east-1 } }',
      '',
    ].join('\n'));
    const result = await runGw(['sync', '-s', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${file}:12:27 services[0].routes[0].plugins[0].config.llm_format: llm_format 'cohere' with provider 'bedrock' is not supported yet by gw (supported llm_format → provider: anthropic → bedrock, anthropic → anthropic, openai → bedrock, openai → openai, openai → anthropic, bedrock → bedrock)`,
    );
  });

  it('nothing outside translators/ and backends/ decides by provider or format name', () => {
    const outside = files(src).filter((path) => !/[/\\](translators|backends)[/\\]/.test(path));
    const switches = /\b(provider|llm_format)\s*[!=]==\s*'|\b(format|backend)\.name\s*[!=]==\s*'|case\s+'(bedrock|anthropic|openai)'|[!=]==\s*'(bedrock|anthropic|openai)'/;
    const found = outside.flatMap((path) =>
      readFileSync(path, 'utf8').split('\n').flatMap((line, i) => (switches.test(line) ? [`${relative(src, path)}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
  });
});
