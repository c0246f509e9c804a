/** Rebuilding a JSON object from its raw members (json-members.ts): as text, or as pieces of bytes that reuse the client's. */
import { latin1Of } from './byte-text.js';
import type { MemberStarts, RawMembers } from './json-members.js';
import type { QuotedWords } from './quoted-words.js';

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
