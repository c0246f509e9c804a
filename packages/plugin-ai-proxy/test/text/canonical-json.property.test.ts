/**
 * canonicalElements (canonical-json.ts) lets the beta policy splice one element of a member instead of
 * serializing the whole member again, so it must never call a text canonical that JSON.stringify would
 * write differently: JSON.stringify(JSON.parse(text)) is the oracle, on the latin1 view the request
 * path hands it (as parseLatin1 reads it).
 *  - any array JSON.stringify wrote, of values without fractions or index-like names: canonical, and the
 *    offsets are each element's own text;
 *  - the same arrays laid out, escaped or numbered differently, and random mutations of them: either
 *    not canonical, or (valid and) written back byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalElements } from '../../src/text/canonical-json.js';
import { fuzz } from '../support/fuzz.js';

const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

/** Stringifies back to itself: JSON.stringify(JSON.parse(text)) === text (false for invalid JSON). */
function roundTrips(text: string): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/** Names with quotes, backslashes, controls and non-ASCII, but none an object would reorder (array indexes). */
const name = fc.string({ unit: fc.constantFrom('a', 'b', '"', '\\', '\n', '\u0001', 'é', '😀', ' ', '_'), maxLength: 5 });
const leaf = fc.oneof(
  fc.string({ unit: fc.constantFrom('x', '"', '\\', '\n', '\t', '\b', '\u0000', '\u001f', '\u007f', 'é', '日', '😀', '\u2028', '/'), maxLength: 8 }),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.constantFrom(true, false, null),
);
const tree = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(name, tie('node'), { maxKeys: 4 })),
})).node;

/** Ways of writing the same array that JSON.stringify would not. */
const relayout = fc.constantFrom<(text: string) => string>(
  (t) => JSON.stringify(JSON.parse(t), null, 1),
  (t) => t.replace(/,/g, ', '),
  (t) => t.replace(/\\n/g, '\\u000a'),
  (t) => t.replace(/\\\\/g, '\\u005c'),
  (t) => t.replace(/\//g, '\\/'),
  (t) => t.replace(/(\d)([,\]}])/g, '$1.0$2'),
  (t) => t.replace(/(\d)([,\]}])/g, '$1e0$2'),
  (t) => t.replace(/\[/, '[0.5,'),
  (t) => t.replace(/\{"/, '{"1":0,"'),
  (t) => t.replace(/\{("[^"\\]*"):([^,{}[\]]+),/, '{$1:$2,$1:$2,'),
);

describe('canonicalElements, property-based (fast-check; JSON.stringify(JSON.parse(x)) is the oracle)', () => {
  it('finds every element of an array JSON.stringify wrote, on the text and on its latin1 view', () => {
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 5 }), (array) => {
        const text = JSON.stringify(array);
        for (const view of [text, latin1(text)]) {
          const spans = canonicalElements(view);
          expect(spans, view).toBeDefined();
          const elements = [];
          for (let k = 0; k < spans!.length; k += 2) elements.push(view.slice(spans![k], spans![k + 1]));
          expect(`[${elements.join(',')}]`).toBe(view);
          expect(elements).toHaveLength(array.length);
        }
      }),
      fuzz(400),
    );
  });

  it('calls a text canonical only when JSON.stringify writes it back the same', () => {
    const mutated = fc
      .tuple(fc.array(tree, { minLength: 1, maxLength: 4 }), relayout, fc.nat(), fc.constantFrom('', ' ', '"', '\\', ',', ']', '}', '0', '-', '.', 'e', '\n', '\u0001'))
      .map(([array, change, at, insert]) => {
        const text = change(JSON.stringify(array));
        const cut = at % (text.length + 1);
        return insert === '' ? text : text.slice(0, cut) + insert + text.slice(cut);
      });
    fc.assert(
      fc.property(mutated, (text) => {
        // The latin1 view of UTF-8 (a cut may split a surrogate pair of the text: UTF-8 has none). Raw
        // control characters in strings are not looked for (canonical-json.ts says why).
        const view = latin1(text);
        if (canonicalElements(view) !== undefined && !/[\x00-\x1f]/.test(view)) expect(roundTrips(view), view).toBe(true);
      }),
      fuzz(3000),
    );
  });

  it('refuses what JSON.stringify would write differently', () => {
    for (const text of ['[ 1]', '[1 ]', '[1.5]', '[1e3]', '[-0]', '[01]', '[9007199254740993]', '["\\/"]', '["\\u0041"]', '["\\u000a"]', '["\\u001F"]', '[{"a":1,"a":2}]', '[{"1":0}]', '[{"a" :1}]', '[tru]', '[1,]', '[]x', '{"a":1}']) {
      expect(canonicalElements(text), text).toBeUndefined();
    }
    for (const text of ['[]', '[1,-2,0]', '[9007199254740991]', '["\\u001f","\\"\\\\\\n"]', '[{"a":{"b":[true,false,null]},"c":"é"}]', '[{"__proto__":1}]']) {
      expect(canonicalElements(text), text).toBeDefined();
      expect(roundTrips(text), text).toBe(true);
    }
  });
});
