/**
 * decK's own test state files (Kong 3.x format, see README.md) through gw's loader, as `gw sync
 * --mock-env` reads them, each against its recorded outcome in outcomes.json: it loads (with these
 * warnings), or it is refused by name (every problem names something gw does not support), or it is
 * invalid (at least one problem is a real mistake in the file: a missing entity, a bad certificate, …).
 *
 * GW_UPDATE_DECK_CONFORMANCE=1 rewrites outcomes.json from what gw does now; review the diff.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfig, type AnyPlugin } from '@gw/core';
import aiProxy, { aiProxyAdvancedPlugin } from '@gw/plugin-ai-proxy';
import fileLog from '@gw/plugin-file-log';
import keyAuth from '@gw/plugin-key-auth';
import opentelemetry from '@gw/plugin-opentelemetry';
import prometheus from '@gw/plugin-prometheus';
import rateLimiting from '@gw/plugin-rate-limiting';
import aiRateLimitingAdvanced from '@gw/plugin-ai-rate-limiting-advanced';

type Outcome = { outcome: 'loads'; warnings: string[] } | { outcome: 'refused' | 'invalid'; problems: string[] };

const here = fileURLToPath(new URL('.', import.meta.url));
const filesDir = join(here, 'files');
const outcomesFile = join(here, 'outcomes.json');
const registry = new Map<string, AnyPlugin>([aiProxy, aiProxyAdvancedPlugin, fileLog, keyAuth, opentelemetry, prometheus, rateLimiting, aiRateLimitingAdvanced].map((p) => [p.name, p as AnyPlugin]));
/** 2026-08-01: CA certificate expiry is judged at a fixed time, so outcomes don't change with the clock. */
const NOW = 1785542400;

/** A problem that names something gw does not support (as opposed to a mistake in the file). */
const REFUSED_BY_NAME = [
  /is a Kong Enterprise/,
  /(are|is) a Kong Enterprise( \(AI Gateway\))? feature gw does not support/,
  /are a Konnect feature gw does not support/,
  /is a Konnect feature gw does not support/,
  /is a Kong plugin gw does not bundle/,
  /are not supported by gw/,
  /is not supported by gw/,
  /not supported yet by gw/,
  /gw does not support/,
  /was removed in Kong 3\.0/,
  /belongs to Kong's DB-less format/,
  /is defined by (cloned|custom)_plugins/,
  /the 'expressions' router is not supported by gw/,
  /apply to stream routes, which gw does not support/,
  /: false is not supported \(decK always applies field transforms\)/,
];

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

async function outcomeOf(path: string): Promise<Outcome> {
  const result = await loadConfig([path], { plugins: registry, env: {}, mode: 'mock', now: NOW });
  const local = (line: string) => line.split(`${filesDir}${sep}`).join('');
  if (result.ok) return { outcome: 'loads', warnings: result.warnings.map(local) };
  const problems = result.problems.map((p) => local(formatProblem(p)));
  const refused = problems.every((p) => REFUSED_BY_NAME.some((re) => re.test(p)));
  return { outcome: refused ? 'refused' : 'invalid', problems };
}

const files = listFiles(filesDir)
  .map((p) => relative(filesDir, p).split(sep).join('/'))
  .sort();

describe("decK's test state files", () => {
  if (process.env.GW_UPDATE_DECK_CONFORMANCE === '1') {
    it('records the outcomes', async () => {
      const out: Record<string, Outcome> = {};
      for (const f of files) out[f] = await outcomeOf(join(filesDir, f));
      writeFileSync(outcomesFile, `${JSON.stringify(out, null, 1)}\n`);
    });
    return;
  }

  const recorded = JSON.parse(readFileSync(outcomesFile, 'utf8')) as Record<string, Outcome>;

  it('has an outcome recorded for every file, and a file for every outcome', () => {
    expect(files.length).toBeGreaterThan(600);
    expect(Object.keys(recorded).sort()).toEqual(files);
  });

  it('loads or fails every file as recorded', async () => {
    const differences: string[] = [];
    for (const f of files) {
      const actual = await outcomeOf(join(filesDir, f));
      if (JSON.stringify(actual) !== JSON.stringify(recorded[f])) differences.push(`${f}\n  recorded: ${JSON.stringify(recorded[f])}\n  now:      ${JSON.stringify(actual)}`);
    }
    expect(differences.join('\n')).toBe('');
  }, 120_000);

  it('never prints a stack trace or an internal error', () => {
    for (const outcome of Object.values(recorded)) {
      for (const line of outcome.outcome === 'loads' ? outcome.warnings : outcome.problems) {
        expect(line).not.toMatch(/\n\s+at |TypeError|ReferenceError|Cannot read propert|undefined is not|\[object Object\]/);
      }
    }
  });
});
