/**
 * Route regexes (`~/…` paths, `~*…` header values) run on re2js, an RE2 engine: matching takes time
 * linear in the input whatever the pattern, so no route can stall the gateway with a path built to
 * make a backtracking engine explode (`~/redos/(a+)+$`). Kong's traditional_compatible router
 * matches with Rust's `regex` crate, which has the same semantics and the same limits, so the
 * patterns it accepts are the patterns gw accepts. PCRE constructs RE2 lacks are named here, before
 * re2js sees them, so `gw sync` says which construct to remove (docs/decisions/0013-route-regex-re2.md).
 */
import { RE2JS } from 're2js';

/** PCRE constructs without an RE2 equivalent, recognized outside character classes. */
const UNSUPPORTED: ReadonlyArray<[RegExp, string]> = [
  [/^\(\?[=!]/, 'lookahead (?=…) / (?!…)'],
  [/^\(\?<[=!]/, 'lookbehind (?<=…) / (?<!…)'],
  [/^\\[1-9]/, 'backreference \\N'],
  [/^\\k[<{']/, 'backreference \\k<name>'],
  [/^\\g[{\d-]/, 'backreference \\g'],
  [/^\(\?P=/, 'backreference (?P=name)'],
  [/^\(\?>/, 'atomic group (?>…)'],
  [/^[*+?}]\+/, 'possessive quantifier'],
  [/^\(\?(?:R|[+-]?\d+|&|P>)/, 'recursion'],
  [/^\(\?\(/, 'conditional (?(…)…)'],
  [/^\(\?#/, 'comment (?#…)'],
  [/^\(\?\|/, 'branch reset (?|…)'],
  [/^\\G/, '\\G'],
  [/^\\[XRKCN]/, 'PCRE escape'],
];

/**
 * PCRE spellings rewritten for RE2: `(?'n'…)` named groups, and `\Z` (end or before a final newline;
 * a path has no raw newline, so the end). Throws, naming the construct, on what RE2 cannot run.
 */
export function translatePcre(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const rest = pattern.slice(i);
    const c = pattern[i];
    if (!inClass) {
      for (const [re, what] of UNSUPPORTED) {
        if (re.test(rest)) throw new Error(`unsupported regex construct: ${what}`);
      }
    }
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      out += !inClass && next === 'Z' ? '\\z' : c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // `[]…]` and `[^]…]`: a leading `]` is a literal.
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
      continue;
    }
    const quoted = /^\(\?'([A-Za-z_]\w*)'/.exec(rest);
    if (quoted) {
      out += `(?P<${quoted[1]}>`;
      i += quoted[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

export interface RegexHit {
  /** Length of the match from the start of the input (anchored regexes only start at 0). */
  end: number;
  /** Numbered (`'0'` is the whole match) and named groups; groups that took no part are absent. */
  captures: Record<string, string>;
}

export interface RouteRegex {
  /** The pattern as configured (without `~` / `~*`). */
  readonly pattern: string;
  readonly caseInsensitive: boolean;
  test(input: string): boolean;
  exec(input: string): RegexHit | null;
}

function syntaxMessage(err: unknown): string {
  const message = (err as Error).message ?? String(err);
  return message.replace(/^error parsing regexp: /, '');
}

/**
 * Compiles a route regex. `anchored`: matches only at the start of the input, as Kong's
 * `http.path ~ "^<p>"` does (every alternative anchored). Throws with a message naming the problem.
 */
export function compileRouteRegex(pattern: string, opts: { anchored: boolean; caseInsensitive?: boolean }): RouteRegex {
  const source = translatePcre(pattern);
  let re: RE2JS;
  try {
    re = RE2JS.compile(opts.anchored ? `^(?:${source})` : source, opts.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    // Report against the pattern as written, not the anchored wrapper.
    try {
      RE2JS.compile(source);
    } catch (plain) {
      throw new Error(syntaxMessage(plain));
    }
    throw new Error(syntaxMessage(err));
  }
  const groups = re.groupCount();
  const named = Object.entries(re.namedGroups());
  const caseInsensitive = opts.caseInsensitive === true || /\(\?[a-zA-Z]*i/.test(source);
  return {
    pattern,
    caseInsensitive,
    // re2js's boolean test runs on its DFA: most route regexes fail, and that is the cheap way to fail.
    test: (input) => re.test(input),
    exec(input) {
      if (!re.test(input)) return null;
      const m = re.matcher(input);
      if (!(opts.anchored ? m.lookingAt() : m.find())) return null;
      const captures: Record<string, string> = {};
      for (let g = 0; g <= groups; g++) {
        const v = m.group(g);
        if (v !== null) captures[String(g)] = v;
      }
      for (const [name, g] of named) {
        const v = m.group(g);
        if (v !== null) captures[name] = v;
      }
      return { end: m.end(0), captures };
    },
  };
}

/** Throws if `pattern` is not a route regex gw (and Kong) can run; the message names the construct. */
export function checkRouteRegex(pattern: string): void {
  compileRouteRegex(pattern, { anchored: true });
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
