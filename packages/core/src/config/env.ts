/**
 * Environment substitution, in two steps so that a value can never change the YAML structure:
 *
 * 1. `renderEnvTokens` (before parsing) replaces every reference with an opaque alphanumeric token,
 *    which is a valid plain scalar anywhere (block, flow, quoted). Lines that are YAML comments stay as written.
 * 2. `substituteEnv` (after parsing) replaces tokens inside string scalars with the variable's value.
 *
 * Syntax: decK's `${{ env "DECK_NAME" }}` (optionally `| toInt`, `| toFloat`, `| toBool`), and the gw
 * shorthand `$name` / `${name}` which reads `DECK_` + NAME upper-cased. `$$` is a literal `$`; a `$` not
 * followed by an identifier character or `{` is literal too (regex anchors like `~/items/\d+$`).
 */
import { randomBytes } from 'node:crypto';
import type { PathSegment } from './yaml.js';

export type EnvMode = 'expand' | 'mock';
type Pipe = 'toInt' | 'toFloat' | 'toBool' | undefined;

interface EnvRef {
  /** The variable read, e.g. `DECK_AWS_REGION`. */
  variable: string;
  pipe: Pipe;
  /** Offset of the expression in the source file. */
  sourceOffset: number;
  /** Set when the expression itself is invalid (wrong prefix, unknown template). */
  error?: string;
}

interface Segment {
  rStart: number;
  rEnd: number;
  sStart: number;
  sEnd: number;
}

export interface RenderedText {
  text: string;
  refs: Map<string, EnvRef>;
  /** Maps an offset in `text` back to the source file. */
  toSourceOffset(offset: number): number;
  tokenPattern: RegExp;
}

const DECK_PREFIX = 'DECK_';
const TEMPLATE = /^\$\{\{\s*env\s+"([^"]*)"\s*(?:\|\s*(toInt|toFloat|toBool)\s*)?\}\}/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

export function renderEnvTokens(source: string): RenderedText {
  const salt = randomBytes(4).toString('hex');
  const refs = new Map<string, EnvRef>();
  const segments: Segment[] = [];
  let out = '';
  let i = 0;
  let lineIsComment = isCommentLine(source, 0);
  const replace = (len: number, replacement: string) => {
    segments.push({ rStart: out.length, rEnd: out.length + replacement.length, sStart: i, sEnd: i + len });
    out += replacement;
    i += len;
  };
  const token = (ref: EnvRef, len: number) => {
    const t = `gwenv${salt}x${refs.size}x`;
    refs.set(t, ref);
    replace(len, t);
  };
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') {
      out += c;
      i++;
      lineIsComment = isCommentLine(source, i);
      continue;
    }
    if (c !== '$' || lineIsComment) {
      out += c;
      i++;
      continue;
    }
    const rest = source.slice(i, i + 300);
    if (rest.startsWith('$$')) {
      replace(2, '$');
    } else if (rest.startsWith('${{')) {
      const m = TEMPLATE.exec(rest);
      const end = rest.indexOf('}}');
      if (m) {
        const variable = m[1];
        const error = variable.startsWith(DECK_PREFIX)
          ? undefined
          : `environment variables in the state file must be prefixed with '${DECK_PREFIX}', found: '${variable}'`;
        token({ variable, pipe: m[2] as Pipe, sourceOffset: i, error }, m[0].length);
      } else {
        const len = end >= 0 ? end + 2 : 3;
        token({ variable: '', pipe: undefined, sourceOffset: i, error: 'unsupported template expression; use ${{ env "DECK_NAME" }}' }, len);
      }
    } else if (rest[1] === '{') {
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest);
      if (m) token({ variable: deckName(m[1]), pipe: undefined, sourceOffset: i }, m[0].length);
      else token({ variable: '', pipe: undefined, sourceOffset: i, error: 'invalid variable reference; use ${name} or $$ for a literal $' }, 2);
    } else {
      const m = IDENT.exec(rest.slice(1));
      if (m) token({ variable: deckName(m[0]), pipe: undefined, sourceOffset: i }, m[0].length + 1);
      else {
        out += c;
        i++;
      }
    }
  }
  return {
    text: out,
    refs,
    tokenPattern: new RegExp(`gwenv${salt}x\\d+x`, 'g'),
    toSourceOffset(offset) {
      let lo = 0;
      let hi = segments.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (segments[mid].rStart <= offset) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found < 0) return offset;
      const s = segments[found];
      return offset < s.rEnd ? s.sStart : offset - s.rEnd + s.sEnd;
    },
  };
}

/** `aws_region` → `DECK_AWS_REGION`; a name that already starts with DECK_ is used as is. */
function deckName(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith(DECK_PREFIX) ? upper : DECK_PREFIX + upper;
}

function isCommentLine(source: string, lineStart: number): boolean {
  let i = lineStart;
  while (source[i] === ' ' || source[i] === '\t') i++;
  return source[i] === '#';
}

export interface EnvProblem {
  sourceOffset: number;
  path: PathSegment[];
  message: string;
}

export interface SubstituteResult {
  value: unknown;
  problems: EnvProblem[];
  /** Values that came from the environment: never echo them in a message. */
  secrets: Set<string>;
  /** Formatted YAML paths that hold a mock placeholder: problems there are about the placeholder, not the config. */
  mockedPaths: Set<string>;
}

/**
 * Replace tokens in the parsed document. `isPlain(path)` tells whether the scalar at `path` was written
 * unquoted: a plain scalar that is exactly one reference becomes a number/boolean when the value looks
 * like one (what decK's render-then-parse does), a quoted one always stays a string.
 */
export function substituteEnv(
  value: unknown,
  rendered: RenderedText,
  env: NodeJS.ProcessEnv,
  mode: EnvMode,
  isPlain: (path: readonly PathSegment[]) => boolean,
  formatPath: (path: readonly PathSegment[]) => string,
): SubstituteResult {
  const result: SubstituteResult = { value, problems: [], secrets: new Set(), mockedPaths: new Set() };
  const reported = new Set<string>();
  const resolve = (tok: string, path: PathSegment[]): { text: string; ref: EnvRef } | undefined => {
    const ref = rendered.refs.get(tok)!;
    if (ref.error) {
      if (!reported.has(tok)) result.problems.push({ sourceOffset: ref.sourceOffset, path, message: ref.error });
      reported.add(tok);
      return undefined;
    }
    const v = env[ref.variable];
    if (v !== undefined) {
      // Redacting 'true' or '8080' everywhere would only garble messages; secrets are never that shape.
      if (v.length >= 4 && !/^(true|false|null|\d+)$/.test(v)) result.secrets.add(v);
      return { text: v, ref };
    }
    if (mode === 'mock') {
      // No warning: the caller asked for placeholders (decK's mock mode is silent too).
      result.mockedPaths.add(formatPath(path));
      return { text: ref.pipe === 'toBool' ? 'false' : ref.pipe ? '42' : ref.variable, ref };
    }
    if (!reported.has(tok)) {
      result.problems.push({ sourceOffset: ref.sourceOffset, path, message: `environment variable '${ref.variable}' present in state file but not set` });
    }
    reported.add(tok);
    return undefined;
  };

  const visitString = (s: string, path: PathSegment[]): unknown => {
    const tokens = s.match(rendered.tokenPattern);
    if (!tokens) return s;
    if (tokens.length === 1 && tokens[0] === s) {
      const r = resolve(s, path);
      if (!r) return '';
      return isPlain(path) ? typed(r.text, r.ref.pipe) : r.text;
    }
    return s.replace(rendered.tokenPattern, (tok) => resolve(tok, path)?.text ?? '');
  };

  const visit = (v: unknown, path: PathSegment[]): unknown => {
    if (typeof v === 'string') return visitString(v, path);
    if (Array.isArray(v)) return v.map((item, idx) => visit(item, [...path, idx]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(v)) {
        const key = k.replace(rendered.tokenPattern, (tok) => resolve(tok, [...path, k])?.text ?? '');
        // defineProperty: a `__proto__` key stays a key, as js-yaml made it.
        Object.defineProperty(out, key, { value: visit(child, [...path, k]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  result.value = rendered.refs.size ? visit(value, []) : value;
  return result;
}

function typed(text: string, pipe: Pipe): unknown {
  if (pipe === 'toBool') return text === 'true';
  if (pipe === 'toInt') return Number.parseInt(text, 10);
  if (pipe === 'toFloat') return Number.parseFloat(text);
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}
