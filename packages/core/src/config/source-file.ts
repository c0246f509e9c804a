/**
 * One config file from disk to a plain value: read, render env references to tokens, parse YAML with
 * positions, substitute env values into string scalars.
 */
import { readFile } from 'node:fs/promises';
import { renderEnvTokens, substituteEnv } from './env.js';
import type { EnvMode } from './env.js';
import { computeLineStarts, formatPath, lineColOf, parseYaml } from './yaml.js';
import type { ParsedYaml, PathSegment } from './yaml.js';
import type { ConfigProblem } from './model.js';

export interface SourceFile {
  /** The file name as the user gave it; used in messages. */
  file: string;
  doc?: ParsedYaml;
  /** The document after env substitution; undefined when the file could not be read or parsed. */
  value?: unknown;
}

export interface ReadResult {
  source: SourceFile;
  problems: ConfigProblem[];
  secrets: Set<string>;
  /** `file|path` keys of values that are mock placeholders. */
  mocked: Set<string>;
}

/** decK's template form; gw's `$NAME` shorthand is left alone: in a posted file a `$` is just a `$`, as in Kong. */
const ENV_TEMPLATE = /\$\{\{\s*env\s/;

/**
 * `text`: the content when it doesn't come from `file` (standard input, a posted body). `none`: no
 * environment substitution (the admin API's POST /config), and a decK env template left in is a problem.
 */
export async function readSourceFile(file: string, env: NodeJS.ProcessEnv, mode: EnvMode | 'none', text?: string): Promise<ReadResult> {
  const result: ReadResult = { source: { file }, problems: [], secrets: new Set(), mocked: new Set() };
  const problem = (line: number, column: number, message: string, path = '') => result.problems.push({ file, line, column, path, message });
  if (text === undefined) {
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      problem(0, 0, `cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return result;
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (mode === 'none') return readVerbatim(result, text, problem);
  const rendered = renderEnvTokens(text);
  const parsed = parseYaml(rendered.text, rendered.toSourceOffset, text);
  if (!parsed.ok) {
    problem(parsed.line, parsed.column, parsed.message);
    return result;
  }
  const { doc } = parsed;
  const sub = substituteEnv(doc.value, rendered, env, mode, (path) => !`"'|>`.includes(doc.firstChar(path) || '"'), formatPath);
  const lineStarts = computeLineStarts(text);
  for (const p of sub.problems) {
    const { line, column } = lineColOf(lineStarts, p.sourceOffset);
    problem(line, column, p.message, formatPath(p.path));
  }
  result.secrets = sub.secrets;
  for (const p of sub.mockedPaths) result.mocked.add(`${file}|${p}`);
  result.source.doc = doc;
  result.source.value = sub.value;
  return result;
}

function readVerbatim(result: ReadResult, text: string, problem: (line: number, column: number, message: string, path?: string) => void): ReadResult {
  const parsed = parseYaml(text, (offset) => offset, text);
  if (!parsed.ok) {
    problem(parsed.line, parsed.column, parsed.message);
    return result;
  }
  const { doc } = parsed;
  const visit = (value: unknown, path: PathSegment[]) => {
    if (typeof value === 'string') {
      if (!ENV_TEMPLATE.test(value)) return;
      const { line, column } = doc.locate(path);
      problem(line, column, 'an environment reference (${{ env … }}) is not substituted in a posted config (as in Kong\'s /config): substitute it on your side (gw sync --admin does)', formatPath(path));
    } else if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i]));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  visit(doc.value, []);
  result.source.doc = doc;
  result.source.value = doc.value;
  return result;
}
