/**
 * The bad-config corpus: every `corpus/NAME.yaml` must fail to load with exactly the formatted problems
 * in `corpus/NAME.expected.txt` (file names relative to the corpus folder).
 * `GW_UPDATE_CORPUS=1` writes missing expected files for review; it never overwrites existing ones.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadConfig, formatProblem } from '../../src/config/index.js';
import { testRegistry } from './test-registry.js';

const dir = fileURLToPath(new URL('./corpus/', import.meta.url));
const cases = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

/** Variables the corpus files may read; the secret ones must never show up in output. */
const ENV = {
  DECK_SECRET_PLUGIN: 'hunter2-secret-plugin-name',
  DECK_SHORT_SECRET: 'abc1',
};

describe('bad-config corpus', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const file of cases) {
    it(file, async () => {
      const result = await loadConfig([join(dir, file)], { plugins: testRegistry(), env: ENV });
      expect(result.ok).toBe(false);
      const lines = result.ok ? [] : result.problems.map((p) => formatProblem(p).split(dir).join(''));
      const text = `${lines.join('\n')}\n`;
      for (const secret of Object.values(ENV)) expect(text).not.toContain(secret);
      const expectedFile = join(dir, file.replace(/\.yaml$/, '.expected.txt'));
      if (!existsSync(expectedFile) && process.env.GW_UPDATE_CORPUS === '1') writeFileSync(expectedFile, text);
      expect(text).toBe(readFileSync(expectedFile, 'utf8'));
    });
  }
});
