/**
 * Builds the plugin registry from `--plugins` specs: `bundled` (every bundled plugin), the name of one
 * bundled plugin, an npm package name, or a path. Packages resolve from the config file's folder the way
 * Node resolves them there, so a plugin installed next to kong.yaml (or the package kong.yaml lives in) is found.
 * Every definition is checked here, once, so a broken plugin fails at startup with its package named.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PHASES } from '@gw/plugin-api';
import type { AnyPlugin, PluginRegistry } from './registry.js';

export interface LoadPluginRegistryOptions {
  /** Folder of the (first) config file: packages resolve from here. */
  baseDir: string;
  /** The plugins shipped with gw; `bundled` in a spec list means all of them. */
  bundled: readonly AnyPlugin[];
}

/** A plugin could not be found, loaded or accepted. The message names the package and is safe to print. */
export class PluginLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PluginLoadError';
  }
}

export async function loadPluginRegistry(specs: string[], opts: LoadPluginRegistryOptions): Promise<PluginRegistry> {
  const registry = new Map<string, AnyPlugin>();
  const origin = new Map<string, string>();
  const endpointOwner = new Map<string, string>();
  const add = (plugin: AnyPlugin, source: string) => {
    // The same definition reached twice (`bundled,file-log`, or two paths to one module) is one plugin.
    if (isObject(plugin) && registry.get(plugin.name) === plugin) return;
    const issues = checkPluginDefinition(plugin);
    if (issues.length > 0) throw new PluginLoadError(`${source}: invalid plugin definition: ${issues.join('; ')}`);
    const previous = origin.get(plugin.name);
    if (previous !== undefined) {
      throw new PluginLoadError(`plugin '${plugin.name}' is defined twice: by ${previous} and by ${source}`);
    }
    for (const endpoint of plugin.statusEndpoints ?? []) {
      const owner = endpointOwner.get(endpoint.path);
      if (owner !== undefined) {
        throw new PluginLoadError(`status endpoint ${endpoint.path} is served by two plugins: ${owner} and ${source}`);
      }
      endpointOwner.set(endpoint.path, source);
    }
    registry.set(plugin.name, plugin);
    origin.set(plugin.name, source);
  };

  const bundledByName = new Map(opts.bundled.map((plugin) => [plugin?.name, plugin]));
  for (const spec of unique(specs)) {
    if (spec === 'bundled') {
      for (const plugin of opts.bundled) add(plugin, `bundled plugin '${plugin?.name}'`);
    } else if (bundledByName.has(spec)) {
      add(bundledByName.get(spec)!, `bundled plugin '${spec}'`);
    } else {
      add(await importPlugin(spec, opts.baseDir), `plugin package '${spec}'`);
    }
  }
  return registry;
}

/** Trimmed, non-empty, first occurrence only. */
function unique(specs: string[]): string[] {
  return [...new Set(specs.map((spec) => spec.trim()).filter((spec) => spec !== ''))];
}

async function importPlugin(spec: string, baseDir: string): Promise<AnyPlugin> {
  const entry = resolveEntry(spec, path.resolve(baseDir));
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (err) {
    throw new PluginLoadError(`plugin package '${spec}' (${entry}) failed to load: ${messageOf(err)}`, { cause: err });
  }
  let definition = mod.default;
  // A CommonJS build of `export default` arrives as { default: { default: definition } }.
  if (isObject(definition) && !('name' in definition) && isObject(definition.default)) definition = definition.default;
  if (!isObject(definition)) {
    throw new PluginLoadError(`plugin package '${spec}' (${entry}) has no default export: export default definePlugin({...})`);
  }
  return definition as unknown as AnyPlugin;
}

function resolveEntry(spec: string, baseDir: string): string {
  const local = spec.startsWith('file:') ? fileURLToPath(spec) : spec;
  const isPath = local.startsWith('.') || path.isAbsolute(local);
  if (isPath) {
    const target = path.resolve(baseDir, local);
    if (existsSync(target) && statSync(target).isDirectory() && existsSync(path.join(target, 'package.json'))) {
      return packageEntry(target, spec);
    }
  }
  const require = createRequire(path.join(baseDir, '/'));
  try {
    return require.resolve(local);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Node's require conditions found no target: an ESM-only package exporting only `import`.
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' && !isPath) {
      const dir = findPackageDir(spec, baseDir, require.resolve.paths(spec) ?? []);
      if (dir !== undefined) return packageEntry(dir, spec);
    }
    if (code === 'MODULE_NOT_FOUND') throw new PluginLoadError(`cannot find plugin package '${spec}' from ${baseDir}`);
    throw new PluginLoadError(`cannot resolve plugin package '${spec}' from ${baseDir}: ${messageOf(err)}`, { cause: err });
  }
}

/** The package folder for a bare name: in a node_modules on the lookup path, or the enclosing package itself. */
function findPackageDir(name: string, baseDir: string, lookup: string[]): string | undefined {
  for (const dir of lookup) {
    if (existsSync(path.join(dir, name, 'package.json'))) return path.join(dir, name);
  }
  for (let dir = baseDir; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(manifest, name).name === name) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The ESM entry of a package folder: `exports["."]` under the import/node/default conditions, else `main`. */
function packageEntry(dir: string, spec: string): string {
  const manifest = readManifest(path.join(dir, 'package.json'), spec);
  const exported = manifest.exports;
  const root = isObject(exported) && '.' in exported ? exported['.'] : exported;
  const target = root === undefined ? (typeof manifest.main === 'string' ? manifest.main : 'index.js') : pickCondition(root);
  if (target === undefined) throw new PluginLoadError(`plugin package '${spec}' (${dir}) exports no entry for import`);
  const entry = path.resolve(dir, target);
  if (!existsSync(entry)) throw new PluginLoadError(`plugin package '${spec}': entry ${entry} does not exist (not built?)`);
  return entry;
}

const CONDITIONS = new Set(['import', 'node', 'default']);

function pickCondition(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) return target.map(pickCondition).find((t) => t !== undefined);
  if (!isObject(target)) return undefined;
  // Node takes the first key, in the order written, that is one of its conditions.
  for (const [condition, value] of Object.entries(target)) {
    if (CONDITIONS.has(condition)) return pickCondition(value);
  }
  return undefined;
}

function readManifest(file: string, spec: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isObject(parsed) ? parsed : {};
  } catch (err) {
    throw new PluginLoadError(`plugin package '${spec}': cannot read ${file}: ${messageOf(err)}`, { cause: err });
  }
}

const KONG_PROTOCOLS = new Set(['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss']);
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const HOOKS: readonly string[] = ['validate', 'errorFormat', 'init', 'close', 'reopen', 'status', ...PHASES];
/** Declarations that are a boolean, or a function of the instance's config. */
const MARKERS: readonly string[] = ['authenticates', 'usesGatewayCredentials'];
const KNOWN = new Set(['name', 'version', 'priority', 'configSchema', 'scopes', 'protocols', 'statusEndpoints', ...HOOKS, ...MARKERS]);
/** The status listener's own paths (status/status-app.ts): no plugin may take them. */
export const RESERVED_STATUS_PATHS: ReadonlySet<string> = new Set(['/status', '/status/ready']);
const SCOPE_KEYS = new Set(['service', 'route', 'consumer']);

/** Everything wrong with a plugin definition, as short phrases; empty when it is usable. */
export function checkPluginDefinition(value: unknown): string[] {
  if (!isObject(value)) return ['expected an object made with definePlugin({...})'];
  const issues: string[] = [];
  const { name, version, priority, configSchema } = value;
  if (typeof name !== 'string' || !KEBAB.test(name)) issues.push(`name must be kebab-case, got ${show(name)}`);
  if (typeof version !== 'string' || !SEMVER.test(version)) issues.push(`version must be semver x.y.z, got ${show(version)}`);
  if (typeof priority !== 'number' || !Number.isInteger(priority)) issues.push(`priority must be an integer, got ${show(priority)}`);
  if (!isObject(configSchema)) issues.push('configSchema must be a JSON Schema object');
  else if (configSchema.type !== 'object') issues.push(`configSchema.type must be 'object', got ${show(configSchema.type)}`);
  issues.push(...checkScopes(value.scopes), ...checkProtocols(value.protocols), ...checkStatusEndpoints(value.statusEndpoints));
  for (const hook of HOOKS) {
    if (value[hook] !== undefined && typeof value[hook] !== 'function') issues.push(`${hook} must be a function`);
  }
  for (const marker of MARKERS) {
    const v = value[marker];
    if (v !== undefined && typeof v !== 'boolean' && typeof v !== 'function') issues.push(`${marker} must be a boolean or a function of the config`);
  }
  // A misspelt phase would otherwise never run and never complain.
  for (const key of Object.keys(value)) {
    if (!KNOWN.has(key)) issues.push(`unknown property '${key}' (known: ${[...KNOWN].join(', ')})`);
  }
  return issues;
}

function checkScopes(scopes: unknown): string[] {
  if (scopes === undefined) return [];
  if (!isObject(scopes)) return ['scopes must be an object like { consumer: false }'];
  return Object.entries(scopes).flatMap(([k, v]) =>
    !SCOPE_KEYS.has(k) ? [`scopes: unknown scope '${k}' (known: service, route, consumer)`] : typeof v !== 'boolean' ? [`scopes.${k} must be a boolean`] : [],
  );
}

function checkStatusEndpoints(endpoints: unknown): string[] {
  if (endpoints === undefined) return [];
  if (!Array.isArray(endpoints)) return ["statusEndpoints must be a list like [{ path: '/metrics', handle }]"];
  const issues: string[] = [];
  const seen = new Set<string>();
  endpoints.forEach((e: unknown, i) => {
    if (!isObject(e)) return void issues.push(`statusEndpoints[${i}] must be an object { path, handle }`);
    const path = e.path;
    if (typeof path !== 'string' || !/^\/[\x21-\x7e]*$/.test(path) || path.includes('?') || path.includes('#')) {
      issues.push(`statusEndpoints[${i}].path must be a path starting with /, got ${show(path)}`);
    } else if (RESERVED_STATUS_PATHS.has(path)) {
      issues.push(`statusEndpoints[${i}].path ${path} is gw's own`);
    } else if (seen.has(path)) {
      issues.push(`statusEndpoints[${i}].path ${path} is listed twice`);
    }
    if (typeof path === 'string') seen.add(path);
    if (typeof e.handle !== 'function') issues.push(`statusEndpoints[${i}].handle must be a function`);
  });
  return issues;
}

function checkProtocols(protocols: unknown): string[] {
  if (protocols === undefined) return [];
  if (!isObject(protocols)) return ["protocols must be an object like { allowed: ['http', 'https'] }"];
  const issues: string[] = [];
  for (const [k, v] of Object.entries(protocols)) {
    if (k !== 'allowed' && k !== 'default') issues.push(`protocols: unknown property '${k}' (known: allowed, default)`);
    else if (!Array.isArray(v) || v.length === 0 || v.some((p) => !KONG_PROTOCOLS.has(p as string))) {
      issues.push(`protocols.${k} must be a non-empty list of ${[...KONG_PROTOCOLS].join(', ')}`);
    }
  }
  const { allowed, default: byDefault } = protocols;
  if (Array.isArray(allowed) && Array.isArray(byDefault) && byDefault.some((p) => !allowed.includes(p))) {
    issues.push('protocols.default must be a subset of protocols.allowed');
  }
  return issues;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
