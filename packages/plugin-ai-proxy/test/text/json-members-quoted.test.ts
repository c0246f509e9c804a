import { describe, expect, it } from 'vitest';
import { DuplicateMemberError, readMembers } from '../../src/text/json-members.js';
import { isPlainWord, type QuotedWords } from '../../src/text/quoted-words.js';
import { writeMembersPieces } from '../../src/text/write-members.js';
import { anthropicToBedrock } from '../../src/translators/anthropic-bedrock/index.js';
/** The body as the Bedrock pair reads it (with its beta policy's words indexed). */
const parseForBedrock = (bytes: Uint8Array) => anthropicToBedrock.parseBody(bytes);

const WORDS = ['ttl', 'display', 'defer_loading', 'eager_input_streaming', 'a'];

function scan(text: string, words: readonly string[] = WORDS) {
  const quoted: QuotedWords = { words, found: new Map() };
  const starts = new Map<string, number>();
  const members = readMembers(text, { whole: true, starts, quoted });
  return { members, starts, quoted };
}

/** What the scan must equal: a plain substring search of each member's raw text. */
function expectMatchesIncludes(text: string, words: readonly string[] = WORDS): void {
  const { members, quoted } = scan(text, words);
  for (const [name, raw] of members) {
    const found = quoted.found.get(name);
    const container = raw.startsWith('{') || raw.startsWith('[');
    expect(found !== undefined, `${name} indexed`).toBe(container);
    if (found === undefined) continue;
    expect(found.raw).toBe(raw);
    for (const word of words) expect(found.words.has(word), `"${word}" in ${name}: ${raw}`).toBe(raw.includes(`"${word}"`));
  }
}

/** A small deterministic generator (no timing, no randomness between runs). */
function lcg(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const PIECES = ['"', '\\', '\\"', '\\\\', 'ttl', 'display', 'a', 'eager_input_streaming', 'x', ' ', '\n', ':', ',', '{', '}', '[', ']', 'é', '日', '🎉', '\\u0022', 'tt'];

describe('quoted words found while scanning = raw.includes(`"word"`)', () => {
  it('finds a word as a key, as a whole string value, and nested deep', () => {
    const text = '{"tools":[{"name":"x","defer_loading":true,"input_schema":{"properties":{"p":{"cache_control":{"ttl":"1h"}}}}}],"m":["display"],"n":{"k":"dis"}}';
    const { quoted } = scan(text);
    expect([...(quoted.found.get('tools')?.words ?? [])].sort()).toEqual(['defer_loading', 'ttl']);
    expect([...(quoted.found.get('m')?.words ?? [])]).toEqual(['display']);
    expect(quoted.found.get('n')?.words.size).toBe(0);
    expectMatchesIncludes(text);
  });

  it('does not take a longer or shorter string for a word', () => {
    expectMatchesIncludes('{"m":["ttlx","xttl","tt","ttl ","display_","Display"]}');
    expect(scan('{"m":["ttlx","xttl","tt","ttl "]}').quoted.found.get('m')?.words.size).toBe(0);
  });

  it('finds a word that starts at an escaped quote inside a string', () => {
    // `\"display\"` is not `"display"` (a backslash follows the word); `\"display"` is.
    const text = '{"m":["say \\"ttl","x\\"display\\" y","\\\\\\"a"]}';
    expect(scan(text).quoted.found.get('m')?.words.has('display')).toBe(false);
    expect(scan('{"m":["x\\"display"]}').quoted.found.get('m')?.words.has('display')).toBe(true);
    expect([...(scan(text).quoted.found.get('m')?.words ?? [])].sort()).toEqual(['a', 'ttl']);
    expectMatchesIncludes(text);
  });

  it('tells escaped quotes from closing quotes after runs of backslashes', () => {
    for (const run of ['', '\\\\', '\\\\\\\\', '\\\\\\\\\\\\']) expectMatchesIncludes(`{"m":["x${run}","ttl",{"${run}a":"${run}"}]}`);
    // An odd run escapes the quote: the string goes on, and `"ttl"` is inside it.
    expect(scan('{"m":["x\\\\\\"ttl"]}').quoted.found.get('m')?.words.has('ttl')).toBe(true);
    expect(scan('{"m":["x\\\\","ttl"]}').quoted.found.get('m')?.words.has('ttl')).toBe(true);
  });

  it('finds a word glued after a closing quote (malformed inside a member, left for the upstream)', () => {
    const text = '{"m":["x"ttl""]}';
    expect(scan(text).quoted.found.get('m')?.words.has('ttl')).toBe(true);
    expectMatchesIncludes(text);
  });

  it('handles unicode, long strings and whitespace around everything', () => {
    const long = 'é日🎉'.repeat(2000) + '\\"ttl' + 'x'.repeat(5000);
    const text = Buffer.from(` {\n\t"m" :\r\n [ "${long}" , { "ttl" :\t"🎉" } ] ,"s":"ttl", "n": 1 }\n`, 'utf8').toString('latin1');
    expectMatchesIncludes(text);
    const { quoted } = scan(text);
    expect(quoted.found.get('m')?.words.has('ttl')).toBe(true);
    // Strings and scalars are not indexed: callers search those themselves.
    expect(quoted.found.has('s')).toBe(false);
    expect(quoted.found.has('n')).toBe(false);
  });

  it('refuses a repeated member like the members themselves', () => {
    expect(() => scan('{"m":["ttl"],"m":["x"]}')).toThrow(DuplicateMemberError);
  });

  it('agrees with includes on thousands of generated member texts', () => {
    const next = lcg(7);
    let checked = 0;
    for (let n = 0; n < 4000; n++) {
      let inner = '';
      const count = 1 + next(30);
      for (let k = 0; k < count; k++) inner += PIECES[next(PIECES.length)];
      const text = Buffer.from(`{"m":["${inner}"],"o":{"k":"${inner}"}}`, 'utf8').toString('latin1');
      try {
        readMembers(text, { whole: true });
      } catch {
        continue;
      }
      expectMatchesIncludes(text);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('accepts only plain words (the scan relies on it)', () => {
    expect(WORDS.every(isPlainWord)).toBe(true);
    for (const word of ['', 'a"b', 'a\\b', 'b[]', 'a b', 'x:y', 'é']) {
      expect(isPlainWord(word)).toBe(false);
      expect(() => scan('{"m":[]}', [word])).toThrow(TypeError);
    }
  });
});

describe('member scanner edge cases', () => {
  it('skips strings whose quotes are escaped in every way', () => {
    const text = '{"a":["\\"","\\\\","\\\\\\"]}",{"b":"}]\\\\"}],"c":"\\\\\\\\","d":{"e":"\\u005c\\""}}';
    const { members } = scan(text);
    expect([...members.keys()]).toEqual(['a', 'c', 'd']);
    expect(JSON.parse(`{"a":${members.get('a')}}`)).toEqual({ a: ['"', '\\', '\\"]}', { b: '}]\\' }] });
    expect(members.get('c')).toBe('"\\\\\\\\"');
  });

  it('rejects unterminated strings and containers, and text after the object', () => {
    for (const text of ['{"a":["x\\"]}', '{"a":[{"b":1}', '{"a":"x\\"}', '{"a":[1]} x', '{"a":[1]', '{"a":[1],}']) {
      expect(() => readMembers(text, { whole: true })).toThrow(SyntaxError);
    }
  });

  it('the body check leaves the quoted-word index on the parsed body', () => {
    const body = parseForBedrock(Buffer.from('{"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"t","eager_input_streaming":true}]}'));
    expect(body.quoted?.found.get('tools')?.words.has('eager_input_streaming')).toBe(true);
    expect(body.quoted?.found.get('messages')?.words.size).toBe(0);
  });
});

describe('writeMembersPieces', () => {
  it('copies unchanged members from the source bytes and writes changed ones, byte for byte', () => {
    const source = Buffer.from('{ "a" : "é日🎉" , "b":[1, {"c":"\\""}], "n\\u00e9":2 }', 'utf8');
    const text = source.toString('latin1');
    const starts = new Map<string, number>();
    const members = readMembers(text, { starts });
    const changed = new Map(members);
    changed.delete('a');
    changed.set('z', Buffer.from('"ü"', 'utf8').toString('latin1'));
    changed.set('a', members.get('a') as string);
    const out = writeMembersPieces(changed, { bytes: source, members, starts });
    expect(Buffer.concat(out).toString('utf8')).toBe('{"b":[1, {"c":"\\""}],"né":2,"z":"ü","a":"é日🎉"}');
    expect(Buffer.concat(writeMembersPieces(new Map(), { bytes: source, members, starts })).toString()).toBe('{}');
  });

  it("sends large unchanged members as slices of the source's memory, not copies", () => {
    const big = JSON.stringify([{ role: 'user', content: 'x'.repeat(5000) }]);
    const source = Buffer.from(`{"model":"m","messages":${big},"system":"short","tools":${JSON.stringify([{ name: 't'.repeat(2000) }])}}`, 'utf8');
    const starts = new Map<string, number>();
    const members = readMembers(source.toString('latin1'), { starts });
    const changed = new Map(members);
    changed.delete('model');
    changed.set('tools', '[]');
    const out = writeMembersPieces(changed, { bytes: source, members, starts });
    expect(Buffer.concat(out).toString('utf8')).toBe(`{"messages":${big},"system":"short","tools":[]}`);
    // messages is shared with the client's bytes; the changed tools and the small system are not.
    const shared = out.filter((piece) => piece.buffer === source.buffer && piece.byteOffset >= source.byteOffset && piece.byteOffset < source.byteOffset + source.byteLength);
    expect(shared.map((piece) => piece.toString('utf8'))).toEqual([big]);
    expect(out).toHaveLength(3);
  });
});
