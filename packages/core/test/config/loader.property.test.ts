/**
 * Properties of the config loader (config/load.ts) over documents fast-check makes up or breaks: random
 * YAML values, the corpus' decK files with entities mutated (fields dropped, replaced by random values,
 * added), their text mutated (characters set, inserted, deleted, cut: bad indentation, stray quotes, env
 * tokens), and text made of YAML's own tokens. Whatever the input, loading ends with a config or with
 * problems that each name a position (file, line, column) and say something; it never throws or hangs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfig, type LoadResult } from '../../src/config/index.js';
import { testRegistry } from './test-registry.js';
import { fuzz } from '../support/fuzz.js';

const corpus = fileURLToPath(new URL('./corpus/', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const bases = [
  ...readdirSync(corpus).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(corpus, f), 'utf8')),
  ...readdirSync(fixtures).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(fixtures, f), 'utf8')),
];
/**
 * The bases js-yaml can parse (the corpus also has broken YAML on purpose), for the entity edits; not the
 * alias bombs, which js-yaml's dump would expand.
 */
const parsedBases = bases.flatMap((text) => {
  if (/\*\w/.test(text)) return [];
  try {
    return [yaml.load(text)];
  } catch {
    return [];
  }
});
const ENV = { DECK_SECRET_PLUGIN: 'hunter2-secret-plugin-name', DECK_SHORT_SECRET: 'abc1', DECK_REGION: 'us-east-1' };
const plugins = testRegistry();

/** Load text as standard input (`gw sync -s -`), in expand or mock mode. */
const load = (text: string, mode: 'expand' | 'mock' = 'expand') => loadConfig(['-'], { stdin: text, env: ENV, mode, plugins });

function checkOutcome(text: string, result: LoadResult): void {
  if (result.ok) {
    // A loaded config is plain data (it is hashed and served as JSON).
    expect(() => JSON.stringify(result.config)).not.toThrow();
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const p of result.problems) {
    expect(p.file).toBe('<stdin>');
    expect(typeof p.message).toBe('string');
    expect(p.message.trim().length, formatProblem(p)).toBeGreaterThan(0);
    expect(Number.isInteger(p.line) && Number.isInteger(p.column), formatProblem(p)).toBe(true);
    // A position inside the text (1-based); a problem with an entity path always points at it.
    expect(p.line, formatProblem(p)).toBeGreaterThanOrEqual(1);
    expect(p.column, formatProblem(p)).toBeGreaterThanOrEqual(1);
    expect(p.line, formatProblem(p)).toBeLessThanOrEqual(lines + 1);
    expect(formatProblem(p)).toMatch(/^<stdin>:\d+:\d+[: ]/);
    // Values from the environment never show in a message.
    expect(formatProblem(p)).not.toContain(ENV.DECK_SECRET_PLUGIN);
  }
}

/** A path into a parsed document and a change there. */
type Edit = { path: number[]; op: 'delete' | 'set' | 'add'; value: unknown; key: string };
const edit = fc.record({
  path: fc.array(fc.nat(), { maxLength: 6 }),
  op: fc.constantFrom<'delete' | 'set' | 'add'>('delete', 'set', 'add'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('~/(a+)+$', '/ok', 'http://x', '${{ env "DECK_REGION" }}', '$DECK_UNSET', -1, 0, 65536, '', [], {})),
  key: fc.oneof(fc.constantFrom('name', 'id', 'url', 'host', 'port', 'paths', 'routes', 'plugins', 'config', 'service', 'route', 'consumer', 'protocols', 'methods', 'hosts', 'headers', 'tags', 'enabled', 'username'), fc.string({ maxLength: 6 })),
});

/** Walk `path` (indices into the keys or items met), then apply the change there. */
function applyEdit(doc: unknown, edit: Edit): unknown {
  // A copy each time: the same value set twice (once inside itself) would make a cycle no YAML can hold.
  const e = { ...edit, value: structuredClone(edit.value) };
  if (doc === null || typeof doc !== 'object') return e.op === 'set' ? e.value : doc;
  let node = doc as Record<string, unknown>;
  for (const step of e.path) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const child = node[keys[step % keys.length]!];
    if (child === null || typeof child !== 'object') break;
    node = child as Record<string, unknown>;
  }
  const keys = Object.keys(node);
  const at = keys.length === 0 ? e.key : keys[(e.path.at(-1) ?? 0) % keys.length]!;
  if (e.op === 'delete') delete node[at];
  else if (e.op === 'set') node[at] = e.value;
  else if (Array.isArray(node)) node.push(e.value);
  else node[e.key] = e.value;
  return doc;
}

const textEdit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('set', 'insert', 'delete', 'cut'),
  piece: fc.constantFrom(' ', '  ', '\t', '\n', ':', '- ', '"', "'", '{', '}', '[', ']', ',', '#', '&a', '*a', '!!str ', '|', '>', '${{ env "DECK_X" }}', '$DECK_SHORT_SECRET', '\u00e9', '\r\n', '---\n', '%YAML 1.2\n'),
});

function mutateText(text: string, edits: { at: number; kind: string; piece: string }[]): string {
  for (const e of edits) {
    const at = text.length === 0 ? 0 : e.at % text.length;
    if (e.kind === 'set') text = text.slice(0, at) + e.piece + text.slice(at + 1);
    else if (e.kind === 'insert') text = text.slice(0, at) + e.piece + text.slice(at);
    else if (e.kind === 'delete') text = text.slice(0, at) + text.slice(at + 1 + (e.piece.length % 3));
    else text = text.slice(0, at);
  }
  return text;
}

describe('config loader, property-based (fast-check)', () => {
  it('aliases: a document they expand past a million values (or into a cycle) is refused at its first alias, quickly', async () => {
    // lK: &lK [*l(K-1), … width times]: 3 · width^K values for the last one, nothing to see in its text.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), async (levels, width, cycle) => {
        const lines = ['_format_version: "3.0"', 'plugins:', '  - name: file-log', '    config:', '      path: /var/log/gw/x.log', '      custom_fields:', '        l0: &l0 [lol, lol]'];
        let total = 3;
        let size = 3;
        for (let k = 1; k <= levels; k++) {
          lines.push(`        l${k}: &l${k} [${Array.from({ length: width }, () => `*l${k - 1}`).join(', ')}]`);
          size = Math.min(1 + width * size, 1e9);
          total += size;
        }
        if (cycle) lines.push('        loop: &loop [1, *loop]');
        const text = lines.join('\n') + '\n';
        const result = await load(text);
        const refused = !result.ok && result.problems.some((p) => p.message.startsWith('invalid YAML: a'));
        if (cycle || total > 1_000_000) {
          expect(refused).toBe(true);
          // At the first alias: l1's, or the loop's when there is no l1.
          expect(result.ok ? [] : result.problems.map((p) => p.line)).toEqual([levels >= 1 ? 8 : lines.length]);
        } else if (total < 999_000) {
          expect(result.ok).toBe(true);
        }
      }),
      fuzz(60),
    );
  });

  it('random YAML values: a config or positioned problems, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const text = yaml.dump(value);
        checkOutcome(text, await load(text));
      }),
      fuzz(150),
    );
  });

  it('decK files with mutated entities: a config or positioned problems', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...parsedBases.keys()), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.constantFrom<'expand' | 'mock'>('expand', 'mock'), async (base, edits, mode) => {
        let doc = structuredClone(parsedBases[base]);
        for (const e of edits) doc = applyEdit(doc, e);
        const text = yaml.dump(doc, { noRefs: true });
        checkOutcome(text, await load(text, mode));
      }),
      fuzz(250),
    );
  });

  it('decK files with mutated text: a config or positioned problems', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bases.keys()), fc.array(textEdit, { minLength: 1, maxLength: 5 }), async (base, edits) => {
        const text = mutateText(bases[base]!, edits);
        checkOutcome(text, await load(text));
      }),
      fuzz(400),
    );
  });

  it('text made of YAML tokens: a config or positioned problems', async () => {
    const token = fc.constantFrom('services', 'routes', 'plugins', '_format_version', ': ', '"3.0"', '- ', '\n', '  ', 'name', 'x', '{', '}', '[', ']', ',', '&a ', '*a', '<<: ', '!!binary ', '? ', '|\n', '#', '"', "'", '${{ env "DECK_REGION" }}', '~', 'null', '1e3', '0x1F');
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 40 }), async (tokens) => {
        const text = tokens.join('');
        checkOutcome(text, await load(text));
      }),
      fuzz(400),
    );
  });
});
