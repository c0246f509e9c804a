/**
 * Top-level members of a JSON object as raw text, so a body can be rebuilt by splicing members instead
 * of re-serializing 100 KB of messages: untouched members (messages, system, tools) keep their exact
 * bytes, which also keeps signed thinking blocks byte-exact. The input is the latin1 view of the
 * body (byte-text.ts); names are real text, values stay latin1 views. The scanner only finds member
 * boundaries: it rejects a malformed top level, not malformed JSON inside a member (callers parse the
 * members they read).
 */
import { textOf } from './byte-text.js';
import { newProbe, probeAt, probeString, type Probe, type QuotedWords } from './quoted-words.js';

/** Member name → raw value text, in order. */
export type RawMembers = Map<string, string>;

/**
 * A top-level name that occurs twice. JSON.parse would keep the last value, other parsers the first: gw
 * would check one value and the upstream could act on the other, so such a body is refused.
 */
export class DuplicateMemberError extends SyntaxError {
  constructor(readonly key: string) {
    super(`duplicate member ${JSON.stringify(key)}`);
    this.name = 'DuplicateMemberError';
  }
}

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
  let close = text.indexOf('"', at + 1);
  while (close >= 0 && escaped(text, close)) close = text.indexOf('"', close + 1);
  if (close < 0) throw new SyntaxError('unterminated string');
  return close + 1;
}

/** An odd run of backslashes before `at`. */
function escaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let j = at - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * Index just past the array or object that starts at `at`. Strings are skipped inline (indexOf to the
 * next quote): this loop is most of the time spent reading a Claude Code body.
 */
function endOfContainer(text: string, at: number, probe: Probe | undefined): number {
  let depth = 0;
  let i = at;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      let close = text.indexOf('"', i + 1);
      while (close >= 0 && text.charCodeAt(close - 1) === BACKSLASH && escaped(text, close)) {
        if (probe !== undefined) probeAt(probe, text, close);
        close = text.indexOf('"', close + 1);
      }
      if (close < 0) throw new SyntaxError('unterminated string');
      if (probe !== undefined) probeString(probe, text, i, close + 1);
      i = close + 1;
      continue;
    }
    if (code === 0x7b || code === 0x5b) depth++;
    else if (code === 0x7d || code === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new SyntaxError('unterminated container');
}

/** Index just past the value that starts at `at`. */
function endOfValue(text: string, at: number, probe?: Probe): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return endOfString(text, at);
  if (first === 0x7b /* { */ || first === 0x5b /* [ */) return endOfContainer(text, at, probe);
  let i = at;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x2c || code === 0x7d || code === 0x5d || isSpace(code)) break;
    i++;
  }
  return i;
}

/** Where each member's value starts in the text it was read from (it ends `value.length` later). */
export type MemberStarts = Map<string, number>;

export interface ReadOptions {
  /** Nothing but space may follow the object. */
  whole?: boolean;
  /** Filled with each member's start, for splicing (writeMembersBytes). */
  starts?: MemberStarts;
  /** Filled with the quoted words each member contains. */
  quoted?: QuotedWords;
}

/** Split a JSON object's text into its top-level members (DuplicateMemberError for a name seen twice). */
export function readMembers(text: string, { whole = false, starts, quoted }: ReadOptions = {}): RawMembers {
  const members: RawMembers = new Map();
  const probe = quoted === undefined ? undefined : newProbe(quoted.words);
  const done = (at: number) => {
    if (whole && skipSpace(text, at + 1) !== text.length) throw new SyntaxError('text after the object');
    return members;
  };
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) throw new SyntaxError('not a JSON object');
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 0x7d) return done(i);
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) throw new SyntaxError('expected a member name');
    const keyEnd = endOfString(text, i);
    const key = JSON.parse(textOf(text.slice(i, keyEnd))) as string;
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) throw new SyntaxError('expected ":"');
    const valueStart = skipSpace(text, i + 1);
    if (probe !== undefined) probe.hits = new Set();
    const valueEnd = endOfValue(text, valueStart, probe);
    if (valueEnd === valueStart) throw new SyntaxError('expected a value');
    if (members.has(key)) throw new DuplicateMemberError(key);
    const raw = text.slice(valueStart, valueEnd);
    members.set(key, raw);
    starts?.set(key, valueStart);
    if (quoted !== undefined && probe !== undefined) {
      const first = text.charCodeAt(valueStart);
      if (first === 0x7b || first === 0x5b) quoted.found.set(key, { raw, words: probe.hits });
    }
    i = skipSpace(text, valueEnd);
    const code = text.charCodeAt(i);
    if (code === 0x7d) return done(i);
    if (code !== 0x2c) throw new SyntaxError('expected "," or "}"');
    i = skipSpace(text, i + 1);
  }
}

/**
 * Split a JSON array's text into its elements' raw texts (latin1 views, like members), checking only this
 * level's syntax; an element is read with readMembers / readElements in turn, or parsed, by its reader.
 */
export function readElements(text: string): string[] {
  const elements: string[] = [];
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x5b) throw new SyntaxError('not a JSON array');
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 0x5d) return elements;
  for (;;) {
    const end = endOfValue(text, i);
    if (end === i) throw new SyntaxError('expected a value');
    elements.push(text.slice(i, end));
    i = skipSpace(text, end);
    const code = text.charCodeAt(i);
    if (code === 0x5d) return elements;
    if (code !== 0x2c) throw new SyntaxError('expected "," or "]"');
    i = skipSpace(text, i + 1);
  }
}

