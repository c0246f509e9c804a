// docs/errors.md must name every catalogue code and every mapped Bedrock error type.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ERROR_CATALOGUE, bedrockErrorTypeForStatus } from '@gw/plugin-api';
import { BEDROCK_ERROR_MAP } from '../../packages/plugin-ai-proxy/src/backends/bedrock/errors.js';
import { anthropicErrorStatus, anthropicErrorType } from '../../packages/plugin-ai-proxy/src/formats/anthropic/errors.js';
import { openaiErrorStatus, openaiErrorType } from '../../packages/plugin-ai-proxy/src/formats/openai/errors.js';
import type { ErrorKind } from '../../packages/plugin-ai-proxy/src/errors.js';

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
  const openaiSection = doc.slice(doc.indexOf('## The neutral kinds as an OpenAI client sees them'));
  it.each(['invalid_request', 'authentication', 'permission', 'not_found', 'too_large', 'rate_limited', 'overloaded'] as ErrorKind[])(
    'says how an OpenAI client sees %s',
    (kind) => {
      const error = { kind, status: statusOfKind(kind), message: '' };
      const row = openaiSection.split('\n').find((line) => line.startsWith(`| \`${kind}\` |`));
      expect(row, kind).toBeDefined();
      expect(row).toContain(`| ${openaiErrorStatus(error)} |`);
      expect(row).toContain(openaiErrorType(error));
    },
  );
});

/** The status the neutral error has for a kind (its Bedrock meaning). */
function statusOfKind(kind: ErrorKind): number {
  return { invalid_request: 400, authentication: 401, permission: 403, not_found: 404, too_large: 413, rate_limited: 429, overloaded: 503, server: 500 }[kind];
}
