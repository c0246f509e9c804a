/**
 * Kong's vaults, the open-source `env` vault only: `vaults` entities (a `prefix` naming a configured env
 * vault) and `{vault://…}` references, resolved at load like environment substitution and never printed.
 *
 * Kong's rules (kong/pdk/vault.lua, kong/vaults/env): a reference is a whole string value
 * `{vault://<vault>/<resource>[/<key>][?prefix=…][#version]}`. `<vault>` is `env` (the vault itself, no
 * prefix) or the `prefix` of a `vaults` entity whose `name` is `env` (its `config.prefix` applies). The
 * variable read is `<config.prefix><resource>` upper-cased with `-` → `_`; version 2 reads `…_PREVIOUS`.
 * With `/<key>` the variable holds a flat JSON object and the key's string value is used.
 * gw resolves references in every string value; Kong only in fields its schemas mark referenceable.
 */
import { isRecord } from './collect.js';
import type { Origin, Report } from './collect.js';
import type { PathSegment } from './yaml.js';

export interface EnvVault {
  prefix?: string;
}

/** Kong Enterprise's vaults: named, so the message can say so. */
const ENTERPRISE_VAULTS = new Set(['aws', 'gcp', 'hcv', 'azure', 'conjur', 'cyberark', 'konnect']);
const VAULT_PREFIX = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const ENV_PREFIX = /^[A-Za-z_-][A-Za-z0-9_-]*$/;
const REFERENCE = /^\{vault:\/\/([^/?#}]*)\/([^?#}]*)(?:\?([^#}]*))?(?:#([^}]*))?\}$/;

/** The `vaults` entities of all files, checked; keyed by prefix. */
export function collectVaults(docs: readonly (Record<string, unknown> | undefined)[], report: Report, where: (o: Origin) => string): Map<string, EnvVault> {
  const vaults = new Map<string, EnvVault>();
  const seen = new Map<string, Origin>();
  docs.forEach((doc, fileIndex) => {
    if (!doc || !Array.isArray(doc.vaults)) return;
    doc.vaults.forEach((v, i) => {
      const o: Origin = { fileIndex, path: ['vaults', i] };
      if (!isRecord(v)) return;
      const { name, prefix, config } = v;
      let ok = true;
      if (typeof name === 'string' && name !== 'env') {
        ok = false;
        report(o, ['name'], ENTERPRISE_VAULTS.has(name) ? `the '${name}' vault is a Kong Enterprise vault gw does not support; the env vault is supported` : `vault '${name}' is not installed`);
      }
      if (typeof prefix === 'string') {
        if (prefix === 'env') {
          ok = false;
          report(o, ['prefix'], 'must not be one of: env');
        } else if (!VAULT_PREFIX.test(prefix)) {
          ok = false;
          report(o, ['prefix'], 'invalid value: a prefix is lower-case letters, digits and -, starting with a letter');
        }
        const prev = seen.get(prefix);
        if (prev) {
          ok = false;
          report(o, ['prefix'], `duplicate vault prefix '${prefix}' (also declared at ${where(prev)})`);
        } else seen.set(prefix, o);
      }
      const envPrefix = isRecord(config) ? config.prefix : undefined;
      // The config of an Enterprise vault is that vault's business: its name was refused already.
      if (isRecord(config) && (name === 'env' || name === undefined)) {
        for (const k of Object.keys(config)) if (k !== 'prefix') report(o, ['config', k], 'unknown field', { key: true });
        if (envPrefix !== undefined && envPrefix !== null && (typeof envPrefix !== 'string' || !ENV_PREFIX.test(envPrefix))) {
          ok = false;
          report(o, ['config', 'prefix'], 'invalid value: letters, digits, _ and -, not starting with a digit');
        }
      }
      if (ok && typeof prefix === 'string' && name === 'env') vaults.set(prefix, { prefix: typeof envPrefix === 'string' ? envPrefix : undefined });
    });
  });
  return vaults;
}

export interface VaultResolution {
  /** Resolved values: never echoed in a message. */
  secrets: Set<string>;
  /** `fileIndex|path` of references left unresolved in mock mode. */
  mocked: Set<string>;
}

/**
 * Replace every reference in the documents (in place; `vaults` itself is skipped) by its value.
 * In mock mode an unresolvable reference stays as written and its path is marked mocked.
 */
export function resolveVaultReferences(
  docs: readonly (Record<string, unknown> | undefined)[],
  vaults: Map<string, EnvVault>,
  env: NodeJS.ProcessEnv,
  mode: 'expand' | 'mock',
  report: Report,
  warn: Report,
  formatPath: (path: readonly PathSegment[]) => string,
): VaultResolution {
  const out: VaultResolution = { secrets: new Set(), mocked: new Set() };
  const visit = (value: unknown, fileIndex: number, path: PathSegment[]): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('{vault://')) return value;
      if (!value.startsWith('{vault://') || !value.endsWith('}')) {
        warn({ fileIndex, path: [] }, path, 'looks like a vault reference but is not the whole value; only a whole value {vault://…} is resolved, as in Kong');
        return value;
      }
      const resolved = resolve(value, vaults, env);
      if ('value' in resolved) {
        if (resolved.value.length >= 4) out.secrets.add(resolved.value);
        return resolved.value;
      }
      if (mode === 'mock') out.mocked.add(`${fileIndex}|${formatPath(path)}`);
      else report({ fileIndex, path: [] }, path, resolved.error);
      return value;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = visit(value[i], fileIndex, [...path, i]);
    } else if (isRecord(value)) {
      for (const k of Object.keys(value)) {
        if (path.length === 0 && k === 'vaults') continue;
        value[k] = visit(value[k], fileIndex, [...path, k]);
      }
    }
    return value;
  };
  docs.forEach((doc, fileIndex) => doc && visit(doc, fileIndex, []));
  return out;
}

/** One reference → its value, or Kong's reason (never containing a value). */
export function resolve(reference: string, vaults: Map<string, EnvVault>, env: NodeJS.ProcessEnv): { value: string } | { error: string } {
  const m = REFERENCE.exec(reference);
  if (!m) return { error: 'invalid vault reference: expected {vault://<vault>/<name>[/<key>]}' };
  const [, name, path, query, fragment] = m;
  if (!name) return { error: 'invalid vault reference: reference url is missing host' };
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { error: 'invalid vault reference: reference url has empty path' };
  let version: number | undefined;
  if (fragment !== undefined) {
    if (!/^\d+$/.test(fragment)) return { error: 'invalid vault reference: reference url has invalid version' };
    version = Number(fragment);
  }
  let vault: EnvVault | undefined;
  if (name === 'env') vault = {};
  else vault = vaults.get(name);
  if (!vault) return { error: `could not find vault (${name})` };
  let prefix = vault.prefix;
  if (query) {
    for (const pair of query.split('&')) {
      const [k, v = ''] = pair.split('=').map((s) => decodeURIComponent(s));
      if (k !== 'prefix') return { error: `invalid vault reference: unknown config '${k}' for the env vault` };
      if (!ENV_PREFIX.test(v)) return { error: 'invalid vault reference: invalid prefix' };
      prefix = v;
    }
  }
  // A trailing slash means a directory: the whole path is the resource, with no key.
  const isDirectory = path.endsWith('/');
  const resource = decodeURIComponent(parts.length === 1 || isDirectory ? parts.join('/') : parts.slice(0, -1).join('/'));
  const key = parts.length === 1 || isDirectory ? undefined : decodeURIComponent(parts[parts.length - 1]);
  let variable = `${prefix ?? ''}${resource}`.replace(/-/g, '_').toUpperCase();
  if (version === 2) variable += '_PREVIOUS';
  const raw = env[variable];
  if (raw === undefined) return { error: `no value found (environment variable '${variable}' is not set)` };
  if (key === undefined) return { value: raw };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: `could not get subfield value: unable to json decode the value of '${variable}'` };
  }
  if (!isRecord(json)) return { error: `could not get subfield value: unable to json decode the value of '${variable}'` };
  const field = json[key];
  if (field === undefined) return { error: `could not get subfield value: subfield ${key} not found in JSON secret` };
  if (typeof field !== 'string') return { error: `could not get subfield value: unexpected ${field === null ? 'null' : typeof field} value in JSON secret for subfield ${key}` };
  return { value: field };
}
