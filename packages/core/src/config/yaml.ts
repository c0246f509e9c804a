/**
 * YAML parsing that remembers where every node starts, so a problem found later (schema, references)
 * can be reported as `file:line:column`. js-yaml has no AST; its `listener` reports open/close events
 * in nesting order, from which we rebuild a node tree parallel to the parsed value.
 */
import yaml from 'js-yaml';
import { aliasProblem } from './yaml-aliases.js';

export type PathSegment = string | number;

interface PosNode {
  /** Offset where the node's text starts (after whitespace and comments). */
  start: number;
  result: unknown;
  children: PosNode[];
}

export interface ParsedYaml {
  value: unknown;
  /** 1-based line/column of the value at `path`; `key: true` for the mapping key instead. Falls back to the nearest ancestor. */
  locate(path: readonly PathSegment[], key?: boolean): { line: number; column: number };
  /** The first character of the node at `path` in the parsed text (a quote for quoted scalars). */
  firstChar(path: readonly PathSegment[]): string;
  /** Keys written more than once in a mapping (the last one wins, as in decK's parser). */
  duplicates: DuplicateKey[];
}

export interface DuplicateKey {
  /** Path of the key that won (the last one). */
  path: PathSegment[];
  line: number;
  column: number;
  /** The earlier occurrences, whose values were dropped. */
  earlier: { line: number; column: number }[];
}

export type YamlParseResult = { ok: true; doc: ParsedYaml } | { ok: false; line: number; column: number; message: string };

/**
 * Parse `text`. `toSourceOffset` maps an offset in `text` back to the file as written (env rendering
 * changes lengths), so positions always refer to what the user sees in their editor.
 */
export function parseYaml(text: string, toSourceOffset: (offset: number) => number, sourceText: string): YamlParseResult {
  const lineStarts = computeLineStarts(sourceText);
  const toLineCol = (offset: number) => lineColOf(lineStarts, toSourceOffset(offset));
  const stack: PosNode[] = [{ start: 0, result: undefined, children: [] }];
  /** Where the first alias (`*name`) is used; -1 without aliases (then the value is a plain tree). */
  let firstAlias = -1;
  let value: unknown;
  try {
    value = yaml.load(text, {
      // decK's parser (yaml.v2 through sigs.k8s.io/yaml) lets a repeated key win over the earlier one.
      json: true,
      listener(event, state) {
        if (event === 'open') {
          stack.push({ start: skipBlank(text, state.position), result: undefined, children: [] });
        } else {
          const node = stack.pop()!;
          node.result = state.result;
          if (firstAlias < 0 && text.charCodeAt(node.start) === 0x2a) firstAlias = node.start;
          stack[stack.length - 1].children.push(node);
        }
      },
    });
  } catch (err) {
    const e = err as yaml.YAMLException;
    const mark = e.mark;
    const where = mark ? toLineCol(mark.position) : { line: 1, column: 1 };
    return { ok: false, ...where, message: `invalid YAML: ${e.reason ?? 'parse error'}` };
  }
  const aliases = firstAlias < 0 ? undefined : aliasProblem(value);
  if (aliases !== undefined) return { ok: false, ...toLineCol(firstAlias), message: `invalid YAML: ${aliases}` };
  const root = collapse(stack[0].children[0]);
  const duplicates = findDuplicates(root, value, []).map((d) => ({
    path: d.path,
    ...toLineCol(d.last),
    earlier: d.earlier.map((offset) => toLineCol(offset)),
  }));
  return {
    ok: true,
    doc: {
      value,
      duplicates,
      locate(path, key = false) {
        const node = findNode(root, value, path, key);
        return node ? toLineCol(node.start) : { line: 1, column: 1 };
      },
      firstChar(path) {
        const node = findNode(root, value, path, false);
        return node ? text.charAt(node.start) : '';
      },
    },
  };
}

/** js-yaml sometimes wraps a node in an extra open/close pair with the same result; unwrap those. */
function collapse(node: PosNode | undefined): PosNode | undefined {
  let n = node;
  while (n && n.children.length === 1 && n.children[0].result === n.result) n = n.children[0];
  return n;
}

function findNode(root: PosNode | undefined, value: unknown, path: readonly PathSegment[], key: boolean): PosNode | undefined {
  let node = root;
  let current = value;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (Array.isArray(current) && typeof seg === 'number') {
      const child = collapse(node.children[seg]);
      if (!child) return node;
      node = child;
      current = current[seg];
    } else if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      const pair = findPair(node, String(seg));
      if (!pair) return node;
      if (last && key) return pair.key;
      node = pair.value;
      current = (current as Record<string, unknown>)[String(seg)];
    } else {
      return node;
    }
  }
  return node;
}

/**
 * A mapping's children alternate key, value, key, value (merge keys `<<` may break the pattern; then we
 * fall back). The last pair of a name is the one whose value was kept.
 */
function findPair(mapping: PosNode, name: string): { key: PosNode; value: PosNode } | undefined {
  const kids = mapping.children;
  let found: { key: PosNode; value: PosNode } | undefined;
  for (let i = 0; i + 1 < kids.length; i += 2) {
    const k = collapse(kids[i])!;
    if (String(k.result) === name) found = { key: k, value: collapse(kids[i + 1])! };
  }
  return found;
}

interface RawDuplicate {
  path: PathSegment[];
  last: number;
  earlier: number[];
}

/** Repeated keys of every mapping that survived into the value (a dropped value is not searched). */
function findDuplicates(node: PosNode | undefined, value: unknown, path: PathSegment[]): RawDuplicate[] {
  if (!node || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    if (node.children.length !== value.length) return [];
    return value.flatMap((item, i) => findDuplicates(collapse(node.children[i]), item, [...path, i]));
  }
  const kids = node.children;
  if (kids.length % 2 !== 0) return [];
  const starts = new Map<string, number[]>();
  for (let i = 0; i < kids.length; i += 2) {
    const name = String(collapse(kids[i])!.result);
    if (name === '<<') continue;
    starts.set(name, [...(starts.get(name) ?? []), collapse(kids[i])!.start]);
  }
  const out: RawDuplicate[] = [];
  for (const [name, offsets] of starts) {
    if (offsets.length > 1) out.push({ path: [...path, name], last: offsets[offsets.length - 1], earlier: offsets.slice(0, -1) });
    const pair = findPair(node, name);
    out.push(...findDuplicates(pair?.value, (value as Record<string, unknown>)[name], [...path, name]));
  }
  return out;
}

function skipBlank(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else break;
  }
  return i;
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function lineColOf(lineStarts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

/** `services[0].routes[0].paths[1]`; keys that are not identifiers are bracket-quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
