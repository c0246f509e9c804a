/**
 * Top-level members of a JSON object as raw text, so a body can be rebuilt by splicing members instead
 * of re-serializing 100 KB of messages: untouched members (messages, system, tools) keep their exact
 * bytes, which also keeps signed thinking blocks byte-exact. The input is the latin1 view of the
 * body (byte-text.ts); names are real text, values stay latin1 views. The scanner only finds member
 * boundaries: it rejects a malformed top level, not malformed JSON inside a member (callers parse the
 * members they read).
 */
import { latin1Of, textOf } from './byte-text.js';

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

/** Where each member's value starts in the text it was read from (it ends `value.length` later). */
export type MemberStarts = Map<string, number>;

export interface ReadOptions {
  /** Nothing but space may follow the object. */
  whole?: boolean;
  /** Filled with each member's start, for splicing (writeMembersBytes). */
  starts?: MemberStarts;
}

/** Split a JSON object's text into its top-level members. */
export function readMembers(text: string, { whole = false, starts }: ReadOptions = {}): RawMembers {
  const members: RawMembers = new Map();
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
    const valueEnd = endOfValue(text, valueStart);
    if (valueEnd === valueStart) throw new SyntaxError('expected a value');
    members.delete(key);
    members.set(key, text.slice(valueStart, valueEnd));
    starts?.set(key, valueStart);
    i = skipSpace(text, valueEnd);
    const code = text.charCodeAt(i);
    if (code === 0x7d) return done(i);
    if (code !== 0x2c) throw new SyntaxError('expected "," or "}"');
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
}

/**
 * writeMembers straight to bytes: a value still identical to the source's is copied from the source
 * bytes (one memcpy) instead of being flattened into a new string and encoded.
 */
export function writeMembersBytes(members: RawMembers, source: MemberSource): Buffer {
  const parts: Buffer[] = [];
  let pending = '{';
  let first = true;
  for (const [key, raw] of members) {
    pending += (first ? '' : ',') + latin1Of(JSON.stringify(key)) + ':';
    first = false;
    const start = source.starts.get(key);
    if (start !== undefined && source.members.get(key) === raw) {
      parts.push(Buffer.from(pending, 'latin1'), source.bytes.subarray(start, start + raw.length));
      pending = '';
    } else {
      pending += raw;
    }
  }
  parts.push(Buffer.from(pending + '}', 'latin1'));
  return Buffer.concat(parts);
}
