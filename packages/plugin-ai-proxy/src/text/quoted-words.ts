// The quoted-word probe that the member scanner (json-members.ts) runs on the strings it passes over.

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
export interface Probe {
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

export function newProbe(words: readonly string[]): Probe {
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
export function probeString(probe: Probe, text: string, start: number, end: number): void {
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
export function probeAt(probe: Probe, text: string, quote: number): void {
  if (probe.firsts[text.charCodeAt(quote + 1) & 0xff] === 0) return;
  for (let k = 0; k < probe.needles.length; k++) if (matchesAt(text, quote, probe.needles[k])) probe.hits.add(probe.words[k]);
}

/** `text.startsWith(needle, at)` for a quote at `at`; the call costs more than this loop for short needles. */
function matchesAt(text: string, at: number, needle: string): boolean {
  if (at + needle.length > text.length) return false;
  for (let k = 1; k < needle.length; k++) if (text.charCodeAt(at + k) !== needle.charCodeAt(k)) return false;
  return true;
}

