/**
 * The config pipeline (docs/architecture.md): files → env → YAML with positions → decK merge →
 * JSON Schema → plugin config schemas → references and Kong rules → normalized GatewayConfig.
 * Every problem is collected; nothing stops at the first one.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { PluginRegistry } from '../runtime/registry.js';
import { formatProblem } from './model.js';
import type { ConfigProblem, GatewayConfig, SourceLocation } from './model.js';
import { readSourceFile } from './source-file.js';
import type { SourceFile } from './source-file.js';
import { collectEntities, isRecord } from './collect.js';
import type { Origin, Report } from './collect.js';
import { applyDefaults, checkFormatDeclared, checkTopLevel, mergeInfo } from './top-level.js';
import { deckFileValidator } from './schemas.js';
import { translateAjvErrors } from './ajv-messages.js';
import { warnPathHandlingV1 } from './route-warnings.js';
import { checkConsumer, checkRoute, checkService } from './entity-rules.js';
import { checkPlugin } from './plugin-rules.js';
import { resolveReferences } from './references.js';
import { normalize } from './normalize.js';
import { checkCaCertificate, checkCertificate, resolveTls } from './certificates.js';
import { collectVaults, resolveVaultReferences } from './vaults.js';
import { warnRegexLikePaths } from './route-path-lint.js';
import { warnPluginProtocols } from './plugin-protocols.js';
import { warnBuffering, writtenBuffering } from './buffering.js';
import { formatPath } from './yaml.js';
import { dropKongAnnotations } from './annotations.js';
import type { PathSegment } from './yaml.js';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** `mock`: unset variables become placeholders (the variable name) instead of errors. */
  mode?: 'expand' | 'mock';
  plugins: PluginRegistry;
  /** The text of the file named `-` (decK's `-s -`: standard input), read by the caller. */
  stdin?: string;
  /** How `-` is named in problems (default `<stdin>`). */
  stdinName?: string;
  /**
   * The text came through the admin API's `POST /config` (Kong's DB-less /config): no environment
   * substitution (it happens on the client, `gw sync`, as decK does), so a `${{ env … }}` left in is a
   * problem; Kong's declarative annotations `_comment` and `_ignore` are accepted and dropped.
   */
  posted?: boolean;
  /** `lenient`: a vault reference that can't be resolved here stays as written (the server resolves it: `gw sync --admin`). */
  vaults?: 'resolve' | 'lenient';
  /** Folder plugins resolve relative paths against; default: the first file's. */
  baseDir?: string;
  /** Also return each file's document as written, environment substituted (vault references not resolved): what `gw sync --admin` posts. */
  keepDocuments?: boolean;
  /** The clock, in seconds (created_at, certificate expiry); tests fix it. */
  now?: number;
  /**
   * The files' contents, read already by `readConfigTexts(paths)`: used instead of reading `paths`. A cluster
   * primary reads the files once and hands every worker the same bytes, so no two workers can load two
   * versions of a file that changed in between.
   */
  texts?: readonly ConfigText[];
}

/** One config file as read: its name (as given, or `-`), and its text (undefined when it could not be read). */
export interface ConfigText {
  file: string;
  text: string | undefined;
}

/** The files `paths` names (folders expanded, as loadConfig does), read now; `-` is `stdin`. */
export async function readConfigTexts(paths: string[], stdin?: string): Promise<ConfigText[]> {
  const files = await expandDirectories(paths);
  return Promise.all(files.map(async (file) => ({ file, text: file === '-' ? (stdin ?? '') : await readFile(file, 'utf8').catch(() => undefined) })));
}

/** How `-` is named in problems. */
export const STDIN_NAME = '<stdin>';

/** Values that came from the environment or a vault: redacted wherever the config is shown. */
export interface LoadedSecrets {
  env: ReadonlySet<string>;
  vault: ReadonlySet<string>;
}

/** `warnings`: formatted like problems (`kong.yaml:3:5 routes[0]: …`), in file order. */
export type LoadResult =
  | { ok: true; config: GatewayConfig; warnings: string[]; secrets: LoadedSecrets; documents?: (Record<string, unknown> | undefined)[] }
  | { ok: false; problems: ConfigProblem[] };

export async function loadConfig(paths: string[], options: LoadOptions): Promise<LoadResult> {
  const env = options.env ?? process.env;
  const mode = options.mode ?? 'expand';
  const files = options.texts ? options.texts.map((t) => t.file) : await expandDirectories(paths);
  const textOf = (index: number) => options.texts?.[index]?.text;
  if (files.length === 0) return { ok: false, problems: [{ file: '', line: 0, column: 0, path: '', message: 'no configuration file given (an empty directory?)' }] };
  if (files.filter((f) => f === '-').length > 1) {
    return { ok: false, problems: [{ file: options.stdinName ?? STDIN_NAME, line: 0, column: 0, path: '', message: 'standard input (-) can be given only once' }] };
  }

  const substitution = options.posted ? 'none' : mode;
  const reads = await Promise.all(
    // A file whose text could not be read is read again here, so its problem names the error.
    files.map((f, i) => (f === '-' ? readSourceFile(options.stdinName ?? STDIN_NAME, env, substitution, textOf(i) ?? options.stdin ?? '') : readSourceFile(f, env, substitution, textOf(i)))),
  );
  const sources: SourceFile[] = reads.map((r) => r.source);
  const problems: ConfigProblem[] = reads.flatMap((r) => r.problems);
  const secrets = new Set(reads.flatMap((r) => [...r.secrets]));
  const envSecrets = new Set(secrets);

  const place = (origin: Origin, at: PathSegment[], key = false) => {
    const src = sources[origin.fileIndex];
    const { line, column } = src.doc ? src.doc.locate(at, key) : { line: 0, column: 0 };
    return { file: src.file, line, column };
  };
  const reporter = (into: ConfigProblem[]): Report => (origin, rel, message, opts = {}) => {
    const path = [...origin.path, ...rel];
    const at = opts.at ? [...origin.path, ...opts.at] : path;
    into.push({ ...place(origin, at, opts.key), path: formatPath(path), message });
  };
  const report = reporter(problems);
  /** Accepted, but the user must know: printed by `gw sync` and `gw start` with the same position format. */
  const noted: ConfigProblem[] = [];
  const warn = reporter(noted);
  for (const src of sources) {
    for (const d of src.doc?.duplicates ?? []) {
      const also = d.earlier.map((e) => `${e.line}:${e.column}`).join(', ');
      noted.push({ file: src.file, line: d.line, column: d.column, path: formatPath(d.path), message: `duplicated mapping key (also at ${also}); the last one is used, as in decK` });
    }
  }
  const where = (origin: Origin) => {
    const p = place(origin, origin.path);
    return `${p.file}:${p.line}:${p.column}`;
  };

  const docs = sources.map((src, fileIndex) => {
    if (src.value === undefined && !src.doc) return undefined;
    if (src.value === null || src.value === undefined) {
      report({ fileIndex, path: [] }, [], 'empty configuration file');
      return undefined;
    }
    if (!isRecord(src.value)) {
      report({ fileIndex, path: [] }, [], 'expected a record (a YAML mapping) at the top of the file');
      return undefined;
    }
    return src.value;
  });
  if (options.posted) docs.forEach((doc, fileIndex) => doc && dropKongAnnotations(doc, fileIndex, report));
  // Before anything below fills in defaults or resolves references in place.
  const documents = options.keepDocuments ? structuredClone(docs) : undefined;

  // Vault references resolve before anything reads the values, like environment substitution.
  const vaultMode = options.vaults === 'lenient' ? 'mock' : mode;
  const vaulted = resolveVaultReferences(docs, collectVaults(docs, report, where), env, vaultMode, report, warn, formatPath);
  for (const s of vaulted.secrets) secrets.add(s);
  checkFormatDeclared(docs, report);
  const buffering = writtenBuffering(docs);
  const info = mergeInfo(docs, report);
  const validateFile = deckFileValidator();
  docs.forEach((doc, fileIndex) => {
    if (!doc) return;
    checkTopLevel(doc, fileIndex, report, warn);
    applyDefaults(doc, info);
    if (!validateFile(doc)) {
      for (const p of translateAjvErrors(validateFile.errors ?? [], doc)) {
        report({ fileIndex, path: [] }, p.path, p.message, { key: p.key, at: p.at });
      }
    }
  });

  const collected = collectEntities(docs);
  for (const s of collected.services) checkService(s, report);
  for (const r of collected.routes) checkRoute(r, report);
  for (const c of collected.consumers) checkConsumer(c, report);
  const declared = declaredPlugins(docs);
  // A plugin's relative paths resolve against its file's folder, as at init (runtime/plan.ts).
  const dirOf = (fileIndex: number) => dirname(resolve(sources[fileIndex]!.file));
  for (const p of collected.plugins) checkPlugin(p, options.plugins, report, warn, declared, dirOf);
  for (const e of collected.certificates) checkCertificate(e, report, warn);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  for (const e of collected.caCertificates) checkCaCertificate(e, now, report, warn);
  const resolved = resolveReferences(collected, report, where);
  const tls = resolveTls(collected, report, where);
  warnPluginProtocols(collected, resolved, warn);
  warnBuffering(buffering, warn);
  warnRegexLikePaths(collected.routes, warn);
  warnPathHandlingV1(collected.routes, warn);

  const mocked = new Set(reads.flatMap((r) => [...r.mocked]));
  for (const m of vaulted.mocked) {
    const bar = m.indexOf('|');
    mocked.add(`${sources[Number(m.slice(0, bar))].file}${m.slice(bar)}`);
  }
  const real = withoutEcho(problems, reads.flatMap((r) => r.problems)).filter((p) => !mocked.has(`${p.file}|${p.path}`));
  if (real.length > 0) return { ok: false, problems: sortProblems(redact(real, secrets), files) };

  const locate = (origin: Origin): SourceLocation => ({ ...place(origin, origin.path), path: formatPath(origin.path) });
  const config = normalize({
    collected,
    resolved,
    tls,
    selectTags: info.selectTags,
    files: [...files],
    baseDir: options.baseDir ?? dirname(resolve(files[0])),
    locate,
    now,
  });
  collected.routes.forEach((r, i) => {
    if (resolved.routeService[i] === null) {
      warn(r.origin, [], `route '${typeof r.raw.name === 'string' ? r.raw.name : resolved.routeIds[i]}' has no service: requests it matches get 503 unless a plugin answers them`);
    }
  });
  const warnings = sortProblems(redact(noted, secrets), files).map(formatProblem);
  return { ok: true, config, warnings, secrets: { env: envSecrets, vault: vaulted.secrets }, ...(documents ? { documents } : {}) };
}

/** Plugin names defined by cloned_plugins / custom_plugins entries (Enterprise / Konnect). */
function declaredPlugins(docs: readonly (Record<string, unknown> | undefined)[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const doc of docs) {
    for (const key of ['cloned_plugins', 'custom_plugins']) {
      const list = doc?.[key];
      if (Array.isArray(list)) for (const e of list) if (isRecord(e) && typeof e.name === 'string') out.set(e.name, key);
    }
  }
  return out;
}

/** decK accepts a directory: its YAML and JSON files, in name order. */
async function expandDirectories(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info?.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await readdir(p)).filter((n) => /\.(ya?ml|json)$/i.test(n)).sort();
    out.push(...names.map((n) => join(p, n)));
  }
  return out;
}

/** Counts for `gw sync` output. */
export function summarize(config: GatewayConfig): { services: number; routes: number; plugins: Record<string, number>; consumers: number } {
  const plugins: Record<string, number> = {};
  for (const p of config.plugins) plugins[p.name] = (plugins[p.name] ?? 0) + 1;
  return { services: config.services.length, routes: config.routes.length, plugins, consumers: config.consumers.length };
}

/** An unset variable leaves an empty string behind; don't also report what that empty string breaks. */
function withoutEcho(problems: ConfigProblem[], envProblems: ConfigProblem[]): ConfigProblem[] {
  const envPaths = new Set(envProblems.filter((p) => p.path).map((p) => `${p.file}|${p.path}`));
  return problems.filter((p) => envProblems.includes(p) || !envPaths.has(`${p.file}|${p.path}`));
}

/** Last line of defence: a value that came from the environment never appears in a message. */
function redact(problems: ConfigProblem[], secrets: Set<string>): ConfigProblem[] {
  if (secrets.size === 0) return problems;
  const list = [...secrets].sort((a, b) => b.length - a.length);
  return problems.map((p) => {
    let message = p.message;
    let path = p.path;
    for (const s of list) {
      message = message.split(s).join('***');
      path = path.split(s).join('***');
    }
    return { ...p, message, path };
  });
}

function sortProblems(problems: ConfigProblem[], files: string[]): ConfigProblem[] {
  const order = (f: string) => files.indexOf(f);
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => order(a.p.file) - order(b.p.file) || a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map(({ p }) => p);
}
