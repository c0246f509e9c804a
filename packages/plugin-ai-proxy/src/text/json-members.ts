/**
 * Top-level members of a JSON object as raw text, so a body can be rebuilt by splicing members instead
 * of re-serializing 100 KB of messages: untouched members (messages, system, tools) keep their exact
 * bytes, which also keeps signed thinking blocks byte-exact. The input is the latin1 view of the
 * body (byte-text.ts); names are real text, values stay latin1 views. The scanner only finds member
 * boundaries: it rejects a malformed top level, not malformed JSON inside a member (callers parse the
 * members they read).
 */
import { latin1Of, textOf } from './byte-text.js';

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

/**
 * Which of some words occur quoted (`"word"`) in each member's raw text: exactly
 * `raw.includes(`"${word}"`)`, found while scanning instead of by one more pass over ~85 KB per word.
 * Words must be plain (isPlainWord). `found` gets an entry only for array and object members.
 */
export interface QuotedWords {
  words: readonly string[];
  /** Member name → its raw text when scanned (the answer holds for that text only) and the words in it. */
  found: Map<string, { raw: string; words: ReadonlySet<string> }>;
}

/** Letters, digits, `_` and `-`: no quote, backslash, bracket, separator or space (see probeString). */
export function isPlainWord(word: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(word);
}

/** The quoted words, by length, and those found so far in the member being scanned. */
interface Probe {
  words: readonly string[];
  needles: string[];
  /** Non-zero at each length some word has (typed arrays: these checks run for every string). */
  lengths: Uint8Array;
  /** Non-zero at each char code a word starts with. */
  firsts: Uint8Array;
  hits: Set<string>;
}

/** Probes by word list: callers pass the same constant list on every request. */
const probes = new WeakMap<readonly string[], Omit<Probe, 'hits'>>();

function newProbe(words: readonly string[]): Probe {
  let made = probes.get(words);
  if (made === undefined) {
    const odd = words.find((word) => !isPlainWord(word));
    if (odd !== undefined) throw new TypeError(`not a plain word: ${JSON.stringify(odd)}`);
    const lengths = new Uint8Array(Math.max(0, ...words.map((word) => word.length)) + 1);
    const firsts = new Uint8Array(256);
    for (const word of words) {
      lengths[word.length] = 1;
      firsts[word.charCodeAt(0)] = 1;
    }
    made = { words, needles: words.map((word) => `"${word}"`), lengths, firsts };
    probes.set(words, made);
  }
  // One literal shape for every probe: the scanner's hot loop reads these fields.
  return { words: made.words, needles: made.needles, lengths: made.lengths, firsts: made.firsts, hits: new Set() };
}

/**
 * A `"word"` occurrence starts at some quote, and every quote of an array or object is one of: a string's
 * opening quote, an escaped quote (endOfContainer probes those), or a closing quote. A plain word starts at
 * an opening quote exactly when it is the whole string, so a length check rules out most strings. It can
 * start at a closing quote only when a word character follows the string, which valid JSON never has
 * (`:` `,` `]` `}` or space follow a string).
 */
function probeString(probe: Probe, text: string, start: number, end: number): void {
  const length = end - start - 2;
  if (length < probe.lengths.length && probe.lengths[length] !== 0) {
    for (let k = 0; k < probe.needles.length; k++) {
      if (probe.needles[k].length === length + 2 && matchesAt(text, start, probe.needles[k])) probe.hits.add(probe.words[k]);
    }
  }
  const after = text.charCodeAt(end);
  if (after >= 0x2d && after !== 0x3a && after !== 0x5d && after !== 0x7d) probeAt(probe, text, end - 1);
}

/** Every word that starts at this quote. */
function probeAt(probe: Probe, text: string, quote: number): void {
  if (probe.firsts[text.charCodeAt(quote + 1) & 0xff] === 0) return;
  for (let k = 0; k < probe.needles.length; k++) if (matchesAt(text, quote, probe.needles[k])) probe.hits.add(probe.words[k]);
}

/** `text.startsWith(needle, at)` for a quote at `at`; the call costs more than this loop for short needles. */
function matchesAt(text: string, at: number, needle: string): boolean {
  if (at + needle.length > text.length) return false;
  for (let k = 1; k < needle.length; k++) if (text.charCodeAt(at + k) !== needle.charCodeAt(k)) return false;
  return true;
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

/** Rebuild a JSON object (latin1 view) from raw members. */
export function writeMembers(members: RawMembers): string {
  let out = '{';
  let first = true;
  for (const [key, raw] of members) {
    out += (first ? '' : ',') + latin1Of(JSON.stringify(key)) + ':' + raw;
    first = false;
  }
  return out + '}';
}

/** Members as read from a body: its bytes, the members and where they start. */
export interface MemberSource {
  bytes: Buffer;
  members: RawMembers;
  starts: MemberStarts;
  /** The quoted words found in the members, when the reader looked for some. */
  quoted?: QuotedWords;
  /** Members rewritten in place (a few elements changed): their new text and the edits that made it. */
  spliced?: Map<string, MemberSplice>;
}

/** A member's new `raw`: the source member's text with `[start, end)` ranges replaced, in order. */
export interface MemberSplice {
  raw: string;
  edits: { start: number; end: number; text: string }[];
}

/**
 * Members at least this long that the rewrite left unchanged are sent as slices of the client's bytes.
 * Shorter ones are copied with the text around them: a piece costs a write, copying 1 KB costs less.
 */
const SLICE_MIN = 1024;

/**
 * writeMembers straight to bytes, without copying the body: a large value still identical to the
 * source's is a slice of the source bytes, and the text between such values (names, separators,
 * small or changed members) is encoded into small pieces. A Claude Code body (~87 KB) becomes about
 * seven pieces of which ~85 KB are the client's own bytes: with 1,000 requests arriving at once, a
 * joined copy each was ~85 MB of garbage waiting for a full collection (docs/performance.md, Memory).
 */
export function writeMembersPieces(members: RawMembers, source: MemberSource): Buffer[] {
  const pieces: Buffer[] = [];
  let text = '{';
  let first = true;
  /** `[from, to)` of the source bytes: a slice when long enough, else copied with the text around it. */
  const copy = (original: string, start: number, from: number, to: number) => {
    if (to - from >= SLICE_MIN) {
      pieces.push(Buffer.from(text, 'latin1'), source.bytes.subarray(start + from, start + to));
      text = '';
    } else {
      text += original.slice(from, to);
    }
  };
  for (const [key, raw] of members) {
    text += (first ? '' : ',') + latin1Of(JSON.stringify(key)) + ':';
    first = false;
    const start = source.starts.get(key);
    const original = source.members.get(key);
    const splice = source.spliced?.get(key);
    if (start === undefined || original === undefined) {
      text += raw;
    } else if (original === raw) {
      copy(original, start, 0, raw.length);
    } else if (splice !== undefined && splice.raw === raw) {
      // The unchanged stretches between the edits are the client's bytes too.
      let at = 0;
      for (const edit of splice.edits) {
        copy(original, start, at, edit.start);
        text += edit.text;
        at = edit.end;
      }
      copy(original, start, at, original.length);
    } else {
      text += raw;
    }
  }
  pieces.push(Buffer.from(text + '}', 'latin1'));
  return pieces;
}
