/**
 * Kong validates route regexes with PCRE; JS RegExp covers the subset routes use in practice. This turns
 * the PCRE spellings JS lacks into JS syntax and rejects the constructs JS cannot express, so an
 * unsupported regex fails at config load instead of silently matching differently.
 */

const UNSUPPORTED: ReadonlyArray<[RegExp, string]> = [
  [/\(\?>/, 'atomic groups (?>…)'],
  [/(?<!\\)[*+?}]\+/, 'possessive quantifiers'],
  [/\\[GQE]/, 'PCRE \\G and \\Q…\\E'],
  [/\(\?[a-zA-Z-]+[:)]/, 'inline flags other than leading (?i), (?m), (?s)'],
  [/\(\?#/, 'comments (?#…)'],
  [/\(\?\|/, 'branch reset groups (?|…)'],
  [/\(\?R\)|\(\?\d+\)/, 'recursion'],
];

export interface TranslatedRegex {
  source: string;
  flags: string;
}

/**
 * Translates PCRE spellings into JS: `(?P<n>…)` and `(?'n'…)` named groups, `(?P=n)` back-references,
 * `\A` / `\z` / `\Z` anchors and leading `(?i)` / `(?m)` / `(?s)` flags. Throws on what JS cannot express.
 */
export function translatePcre(pattern: string): TranslatedRegex {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (inline) {
    for (const f of new Set(inline[1])) {
      if (!'ims'.includes(f)) throw new Error(`unsupported regex construct: inline flag '${f}'`);
      flags += f;
    }
    source = source.slice(inline[0].length);
  }
  source = source
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?'([A-Za-z_]\w*)'/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])\\A/g, '$1^')
    .replace(/(^|[^\\])\\[zZ]/g, '$1$$');
  for (const [re, what] of UNSUPPORTED) {
    if (re.test(source)) throw new Error(`unsupported regex construct: ${what}`);
  }
  return { source, flags };
}

/** Compiles a PCRE pattern anchored at the start, as Kong's `http.path ~ "^<p>"` is. */
export function compileAnchored(pattern: string, extraFlags = ''): RegExp {
  const { source, flags } = translatePcre(pattern);
  return new RegExp(`^(?:${source})`, flags + extraFlags);
}

/**
 * The literal text every match must start with, used only to index regex routes by first path segment.
 * Conservative: stops at the first metacharacter or escape, and gives up on any alternation.
 */
export function literalPrefix(pattern: string): string {
  if (pattern.includes('|') || pattern.startsWith('(?')) return '';
  let i = 0;
  while (i < pattern.length && !'\\^$.|?*+()[]{}'.includes(pattern[i])) i++;
  // A quantifier applies to the last literal character, which then is not guaranteed.
  if (i < pattern.length && '?*{'.includes(pattern[i])) i--;
  return pattern.slice(0, Math.max(i, 0));
}
