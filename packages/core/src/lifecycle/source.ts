/**
 * Where a new config comes from, and loading it. The files gw started with are read into texts first
 * (`readConfigTexts`), so the text that was checked is the text that serves; a cluster primary hands the
 * same texts to every worker.
 */
import { loadConfig, readConfigTexts, type ConfigText, type LoadResult } from '../config/load.js';
import type { PluginRegistry } from '../runtime/registry.js';

export type ConfigSource =
  /**
   * The files (and standard input text) gw started with, environment substituted; `texts`: their
   * contents as read already (a cluster primary's), else they are read now.
   */
  | { kind: 'files'; texts?: readonly ConfigText[] }
  /** A declarative config as text (YAML or JSON), as POST /config takes it: no environment substitution. */
  | { kind: 'text'; text: string; name?: string };

/** A source whose files were read: what every worker of a cluster loads alike. */
export type ResolvedSource = { kind: 'files'; texts: readonly ConfigText[] } | { kind: 'text'; text: string; name?: string };

export interface SourceContext {
  plugins: PluginRegistry;
  /** The files `{ kind: 'files' }` names (gw start -s). */
  files: string[];
  /** The text of `-` among `files`, read once at start. */
  stdin?: string;
  env: NodeJS.ProcessEnv;
  /** Where relative paths in a posted config resolve: those of the files gw started with. */
  baseDir?: string;
}

export async function resolveSource(source: ConfigSource, context: Pick<SourceContext, 'files' | 'stdin'>): Promise<ResolvedSource> {
  if (source.kind === 'text') return source;
  return { kind: 'files', texts: source.texts ?? (await readConfigTexts(context.files, context.stdin)) };
}

export function loadSource(source: ResolvedSource, context: SourceContext): Promise<LoadResult> {
  const { plugins, env } = context;
  if (source.kind === 'files') return loadConfig(context.files, { env, mode: 'expand', plugins, stdin: context.stdin, texts: source.texts });
  return loadConfig(['-'], { env, mode: 'expand', plugins, stdin: source.text, stdinName: source.name ?? 'config', posted: true, baseDir: context.baseDir });
}
