// docs/errors.md must name every catalogue code and every mapped Bedrock error type.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ERROR_CATALOGUE, bedrockErrorTypeForStatus } from '@gw/plugin-api';
import { BEDROCK_ERROR_MAP } from '../../packages/plugin-ai-proxy/src/backends/bedrock/errors.js';
import { anthropicErrorStatus, anthropicErrorType } from '../../packages/plugin-ai-proxy/src/formats/anthropic/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('docs/errors.md', () => {
  it.each(Object.entries(ERROR_CATALOGUE))('lists %s with its status', (code, entry) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${entry.status} \\|`));
  });
  it("names the Bedrock exception each status of gw's own errors gets on a llm_format bedrock route", () => {
    const section = doc.slice(doc.indexOf('## Bedrock-native clients'));
    const rows = section.split('\n').filter((line) => /^\| \d{3}/.test(line));
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const [statuses, type] = row.split('|').slice(1, 3).map((cell) => cell.trim());
      for (const status of statuses!.match(/\d{3}/g)!) expect(`\`${bedrockErrorTypeForStatus(Number(status))}\``, row).toBe(type);
    }
  });
  it.each(Object.entries(BEDROCK_ERROR_MAP))('maps %s', (type, mapped) => {
    const row = doc.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${type}\``));
    expect(row, type).toBeDefined();
    // The neutral kind, then the status and type an Anthropic-format client gets for it.
    const error = { ...mapped, message: '' };
    expect(row).toContain(`| \`${mapped.kind}\` | ${anthropicErrorStatus(error)} |`);
    expect(row).toContain(anthropicErrorType(error));
  });
});
