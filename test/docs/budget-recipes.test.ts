// The recipes of the rate-limit docs are real configs: each YAML block that is a whole decK file (it
// starts with `_format_version`) loads with the bundled plugins, with no problem and no warning.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem, loadConfig } from '@gw/core';
import { registry } from '../integration/support/gateway.js';

const pages = ['plugins/rate-limiting.md', 'plugins/ai-rate-limiting-advanced.md', 'configuration.md'];
const env = { DECK_REDIS_PASSWORD: 'redis-secret', DECK_ALICE_KEY: 'a', DECK_BOB_KEY: 'b', DECK_DANA_KEY: 'd' };

function deckFiles(page: string): string[] {
  const text = readFileSync(new URL(`../../docs/${page}`, import.meta.url), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((yaml) => yaml.startsWith('_format_version') && /rate-limiting|consumer_groups/.test(yaml));
}

describe('budget recipes in the docs', () => {
  for (const page of pages) {
    it(`${page}: every whole decK file loads`, async () => {
      const files = deckFiles(page);
      expect(files.length).toBeGreaterThan(0);
      for (const yaml of files) {
        const file = join(mkdtempSync(join(tmpdir(), 'gw-doc-')), 'kong.yaml');
        writeFileSync(file, yaml);
        const result = await loadConfig([file], { plugins: registry, env });
        if (!result.ok) throw new Error(`${page}:\n${result.problems.map((p) => formatProblem(p)).join('\n')}`);
        // A log folder of the reader's machine (/var/log/gw) is not this one's: only config warnings count.
        expect(result.warnings.filter((w) => !/the folder \S+ does not exist/.test(w))).toEqual([]);
      }
    });
  }
});
