/**
 * Properties of the top-level member scanner (json-members.ts), with JSON.parse as the oracle, over the
 * latin1 view of UTF-8 bytes the request path hands it (byte-text.ts):
 *  - any JSON object, however laid out: the same top-level keys and values as JSON.parse;
 *  - an object with a key twice (however escaped): DuplicateMemberError naming it;
 *  - random bytes and mutated objects: a SyntaxError, or a result that JSON.parse agrees with whenever
 *    every member parses (the scanner never validates inside members; the body check parses the small
 *    ones, and that combination must never accept what JSON.parse refuses or read it differently).
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateMemberError, readMembers } from '../../src/text/json-members.js';
import { textOf } from '../../src/text/byte-text.js';
import { fuzz } from '../support/fuzz.js';

const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

/** Keys with the characters that make scanning hard: quotes, backslashes, brackets, non-ASCII, controls. */
const key = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ':', ',', ' ', 'é', '😀', '\u0000', '\n', 'a'), maxLength: 6 }),
);
const value = fc.jsonValue({ maxDepth: 3 });
const object = fc.dictionary(key, value, { maxKeys: 8 });

/** JSON.stringify with one of several layouts, and random spaces around the top-level tokens. */
const layout = fc.constantFrom<(o: unknown) => string>(
  (o) => JSON.stringify(o),
  (o) => JSON.stringify(o, null, 2),
  (o) => JSON.stringify(o, null, '\t'),
  (o) => ` \n${JSON.stringify(o, null, 1)}\r\n `,
);

function members(text: string): Map<string, unknown> {
  return new Map([...readMembers(latin1(text), { whole: true })].map(([name, raw]) => [name, JSON.parse(textOf(raw))]));
}

/** The top-level entries as JSON.parse sees them, in a Map (keeps `__proto__`, orders nothing). */
function parsedEntries(text: string): Map<string, unknown> {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  return new Map(Object.keys(parsed).map((name) => [name, parsed[name]]));
}

const sameEntries = (a: Map<string, unknown>, b: Map<string, unknown>) => {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, v] of a) expect(v).toEqual(b.get(name));
};

describe('readMembers, property-based (fast-check; JSON.parse is the oracle)', () => {
  it('reads the same top-level keys and values as JSON.parse, whatever the layout', () => {
    fc.assert(
      fc.property(object, layout, (o, write) => {
        const text = write(o);
        sameEntries(members(text), parsedEntries(text));
      }),
      fuzz(400),
    );
  });

  it('refuses a key given twice, naming it, however its second spelling is escaped', () => {
    fc.assert(
      fc.property(object, key, value, value, fc.boolean(), (o, name, first, second, escapeIt) => {
        const rest = JSON.stringify(o).slice(1, -1);
        // \uXXXX for every character of the second spelling: the same key to JSON.parse.
        const spelled = escapeIt ? `"${Array.from({ length: name.length }, (_, i) => `\\u${name.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(name);
        const text = `{${JSON.stringify(name)}:${JSON.stringify(first)}${rest === '' ? '' : `,${rest}`},${spelled}:${JSON.stringify(second)}}`;
        let thrown: unknown;
        try {
          readMembers(latin1(text), { whole: true });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(DuplicateMemberError);
      }),
      fuzz(300),
    );
  });

  /** Scanner result vs JSON.parse on text that may be anything. */
  function checkAgainstParse(bytes: Buffer) {
    // The request path refuses non-UTF-8 before scanning (isUtf8), so only UTF-8 text reaches the scanner.
    if (!isUtf8(bytes)) return;
    const text = bytes.toString('utf8');
    let scanned: Map<string, string>;
    try {
      scanned = readMembers(bytes.toString('latin1'), { whole: true });
    } catch (error) {
      expect(error).toBeInstanceOf(SyntaxError);
      expect((error as Error).message.length).toBeGreaterThan(0);
      return;
    }
    const values = new Map<string, unknown>();
    for (const [name, raw] of scanned) {
      try {
        values.set(name, JSON.parse(textOf(raw)));
      } catch {
        return; // a bad member: the body check refuses it (or, for messages/system/tools, the upstream does)
      }
    }
    // Every member parsed: then the whole text is a JSON object with exactly these members.
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(text)), `accepted what JSON.parse refuses: ${JSON.stringify(text)}`).not.toThrow();
    expect(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)).toBe(true);
    sameEntries(values, parsedEntries(text));
  }

  it('mutated objects: a SyntaxError, or an answer JSON.parse agrees with', () => {
    const mutation = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('set', 'insert', 'delete', 'cut') });
    fc.assert(
      fc.property(object, layout, fc.array(mutation, { minLength: 1, maxLength: 4 }), (o, write, mutations) => {
        let bytes = Buffer.from(write(o), 'utf8');
        for (const m of mutations) {
          const at = bytes.length === 0 ? 0 : m.at % bytes.length;
          if (m.kind === 'set' && bytes.length > 0) bytes[at] = m.byte;
          else if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)]);
          else if (m.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
          else bytes = bytes.subarray(0, at);
        }
        checkAgainstParse(bytes);
      }),
      fuzz(3000),
    );
  });

  it('random text made of JSON’s own characters: a SyntaxError, or an answer JSON.parse agrees with', () => {
    const token = fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', ' ', '\n', 'a', '1', '-', 'e', '.', 'true', 'null', '"k"', '\\u0041', '\\"', '😀');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => checkAgainstParse(Buffer.from(tokens.join(''), 'utf8'))),
      fuzz(3000),
    );
  });
});
