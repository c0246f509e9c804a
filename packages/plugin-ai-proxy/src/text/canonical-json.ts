/**
 * Is a JSON array's text exactly what `JSON.stringify(JSON.parse(text))` gives back? Then a member can be
 * rewritten piece by piece (only the changed elements parsed and serialized) with the very bytes that
 * parsing and serializing the whole member gives. A JavaScript client's body (Claude Code's is
 * `JSON.stringify` output) always is.
 *
 * Conservative: canonical only for valid JSON in that form — no space outside strings, escapes only as
 * JSON.stringify writes them (`\"` `\\` `\b` `\f` `\n` `\r` `\t`, `\u00xx` for other control characters),
 * safe integers and no other numbers, no member name that is an array index (an object
 * lists those first) and no name twice in one object. Anything else, valid or not, is not, and the
 * caller takes the slow way, which also reports what is invalid. One thing is not looked for: a raw
 * control character inside a string (invalid JSON), which would cost a pass over every character (as
 * much as the rest of the check); the upstream refuses such a body as it refuses it on the common path,
 * where gw passes the member on unparsed.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * A canonical JSON array's elements as `[start, end, start, end, …]` offsets into `text`, or undefined
 * when the array is not canonical throughout. `text` is a latin1 view (byte-text.ts): a lone surrogate,
 * which JSON.stringify would escape, can't occur in one.
 */
export function canonicalElements(text: string): number[] | undefined {
  if (text.charCodeAt(0) !== 0x5b) return undefined;
  namesTop = 0; // a scan that failed half-way left its objects' names
  const s: Scan = { text, at: 1, end: text.length, backslash: text.indexOf('\\') };
  const spans: number[] = [];
  try {
    if (text.charCodeAt(1) === 0x5d) return text.length === 2 ? spans : undefined;
    for (;;) {
      const start = s.at;
      if (!value(s)) return undefined;
      spans.push(start, s.at);
      const code = text.charCodeAt(s.at++);
      if (code === 0x5d) return s.at === text.length ? spans : undefined;
      if (code !== 0x2c) return undefined;
    }
  } catch {
    return undefined;
  }
}

interface Scan {
  readonly text: string;
  at: number;
  readonly end: number;
  /** The next backslash at or after `at` (-1: none): strings are skipped with indexOf, escapes checked where they are. */
  backslash: number;
}

function value(s: Scan): boolean {
  const code = s.text.charCodeAt(s.at);
  if (code === QUOTE) return string(s) !== undefined;
  if (code === 0x7b /* { */) return object(s);
  if (code === 0x5b /* [ */) return array(s);
  if (code === 0x74 /* t */) return literal(s, 'true');
  if (code === 0x66 /* f */) return literal(s, 'false');
  if (code === 0x6e /* n */) return literal(s, 'null');
  return integer(s);
}

function literal(s: Scan, word: string): boolean {
  if (!s.text.startsWith(word, s.at) || s.at + word.length > s.end) return false;
  s.at += word.length;
  return true;
}

/** `-?(0|[1-9][0-9]*)` within ±2^53 (JSON.stringify writes every such number back the same). */
function integer(s: Scan): boolean {
  const { text } = s;
  let i = s.at;
  if (text.charCodeAt(i) === 0x2d /* - */) i++;
  const first = i;
  while (i < s.end && isDigit(text.charCodeAt(i))) i++;
  const digits = i - first;
  if (digits === 0 || digits > 16) return false;
  if (digits === 16 && !Number.isSafeInteger(Number(text.slice(first, i)))) return false;
  if (text.charCodeAt(first) === 0x30 /* 0 */ && (digits > 1 || first > s.at)) return false; // 01, -0
  const next = text.charCodeAt(i);
  if (next === 0x2e /* . */ || next === 0x65 /* e */ || next === 0x45 /* E */) return false;
  s.at = i;
  return true;
}

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

/** Skips the string at `s.at`; its end index, or undefined when it is not canonical (or not closed). */
function string(s: Scan): number | undefined {
  const { text } = s;
  let at = s.at + 1;
  let quote = text.indexOf('"', at);
  if (s.backslash >= 0 && s.backslash < at) s.backslash = text.indexOf('\\', at);
  for (;;) {
    if (quote < 0 || quote >= s.end) return undefined;
    if (s.backslash < 0 || s.backslash > quote) break;
    const escape = s.backslash;
    const kind = text.charCodeAt(escape + 1);
    if (kind === 0x75 /* u */) {
      if (!controlEscape(text, escape)) return undefined;
      at = escape + 6;
    } else if (kind === QUOTE || kind === BACKSLASH || kind === 0x62 || kind === 0x66 || kind === 0x6e || kind === 0x72 || kind === 0x74) {
      at = escape + 2; // \" \\ \b \f \n \r \t
    } else {
      return undefined; // \/ or not an escape at all
    }
    s.backslash = text.indexOf('\\', at);
    if (quote < at) quote = text.indexOf('"', at);
  }
  s.at = quote + 1;
  return quote + 1;
}

/** `\u00xx` in lower case for a control character JSON.stringify has no short escape for. */
function controlEscape(text: string, escape: number): boolean {
  if (text.charCodeAt(escape + 2) !== 0x30 || text.charCodeAt(escape + 3) !== 0x30) return false;
  const high = text.charCodeAt(escape + 4);
  const low = text.charCodeAt(escape + 5);
  if (high !== 0x30 && high !== 0x31) return false;
  const lowValue = isDigit(low) ? low - 0x30 : low >= 0x61 && low <= 0x66 ? low - 0x61 + 10 : -1;
  if (lowValue < 0) return false;
  const code = (high - 0x30) * 16 + lowValue;
  return code !== 0x08 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d;
}

function array(s: Scan): boolean {
  s.at++;
  if (s.text.charCodeAt(s.at) === 0x5d /* ] */) {
    s.at++;
    return true;
  }
  for (;;) {
    if (!value(s)) return false;
    const code = s.text.charCodeAt(s.at++);
    if (code === 0x5d) return true;
    if (code !== 0x2c /* , */) return false;
  }
}

/**
 * The member names of the objects being scanned, as `[start, end, …]` offsets into the text, innermost
 * object last: names are compared where they lie, not sliced into strings (Claude Code's tools hold
 * hundreds of objects; a names array per object and a string per name were ~70 KB of garbage a request).
 */
const names: number[] = [];
/** Where the next name goes: the array is only ever grown, never cut back (cutting it freed its storage, and growing it again made garbage). */
let namesTop = 0;

function object(s: Scan): boolean {
  const { text } = s;
  s.at++;
  if (text.charCodeAt(s.at) === 0x7d /* } */) {
    s.at++;
    return true;
  }
  const first = namesTop;
  for (;;) {
    const start = s.at;
    if (text.charCodeAt(start) !== QUOTE || isDigit(text.charCodeAt(start + 1))) return false;
    const end = string(s);
    if (end === undefined) return false;
    if (seenName(text, first, start, end)) return false;
    names[namesTop++] = start;
    names[namesTop++] = end;
    if (text.charCodeAt(s.at++) !== 0x3a /* : */) return false;
    if (!value(s)) return false;
    const code = text.charCodeAt(s.at++);
    if (code === 0x7d) {
      namesTop = first;
      return true;
    }
    if (code !== 0x2c) return false;
  }
}

/** Is the name at [start, end) among this object's names so far (from index `first` of `names`)? */
function seenName(text: string, first: number, start: number, end: number): boolean {
  const length = end - start;
  for (let k = first; k < namesTop; k += 2) {
    const other = names[k];
    if (names[k + 1] - other !== length) continue;
    let i = 1; // both start with the quote
    while (i < length && text.charCodeAt(other + i) === text.charCodeAt(start + i)) i++;
    if (i === length) return true;
  }
  return false;
}
