/**
 * Top-level members of a JSON object as raw text, so a body can be rebuilt by splicing members instead
 * of re-serializing 100 KB of messages: untouched members (messages, system, tools) keep their exact
 * bytes, which also keeps signed thinking blocks byte-exact. The input must already be valid JSON
 * (callers JSON.parse it first); this scanner only finds member boundaries.
 */

/** Member name → raw value text, in first-seen order (a repeated name keeps its last value, like JSON.parse). */
export type RawMembers = Map<string, string>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** Index just past the string that starts at `at` (an opening quote). */
function endOfString(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const next = text.indexOf('"', i);
    if (next < 0) throw new SyntaxError('unterminated string');
    let backslashes = 0;
    for (let j = next - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return next + 1;
    i = next + 1;
  }
}

/** Index just past the value that starts at `at`. */
function endOfValue(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return endOfString(text, at);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
    let depth = 0;
    let i = at;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) { i = endOfString(text, i); continue; }
      if (code === 0x7b || code === 0x5b) depth++;
      else if (code === 0x7d || code === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new SyntaxError('unterminated container');
  }
  let i = at;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x2c || code === 0x7d || code === 0x5d || isSpace(code)) break;
    i++;
  }
  return i;
}

/** Split a JSON object's text into its top-level members. */
export function readMembers(text: string): RawMembers {
  const members: RawMembers = new Map();
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) throw new SyntaxError('not a JSON object');
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 0x7d) return members;
  for (;;) {
    const keyEnd = endOfString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) throw new SyntaxError('expected ":"');
    const valueStart = skipSpace(text, i + 1);
    const valueEnd = endOfValue(text, valueStart);
    members.delete(key);
    members.set(key, text.slice(valueStart, valueEnd));
    i = skipSpace(text, valueEnd);
    const code = text.charCodeAt(i);
    if (code === 0x7d) return members;
    if (code !== 0x2c) throw new SyntaxError('expected "," or "}"');
    i = skipSpace(text, i + 1);
  }
}

/** Rebuild a JSON object from raw members. */
export function writeMembers(members: RawMembers): string {
  let out = '{';
  let first = true;
  for (const [key, raw] of members) {
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + raw;
    first = false;
  }
  return out + '}';
}
