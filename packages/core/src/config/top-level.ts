/**
 * File-level rules: `_format_version`, `_transform`, `_workspace`, decK keys gw does not support, and
 * `_info` (select_tags and defaults) merged across files the way decK merges them (first value wins,
 * lists appended).
 */
import { isRecord } from './collect.js';
import type { Report } from './collect.js';
import { entityFields } from './schemas.js';

const UNSUPPORTED_KEYS: Record<string, string> = {
  partials: 'partials are a Kong Enterprise feature gw does not support',
  rbac_roles: 'rbac_roles are a Kong Enterprise feature gw does not support',
  licenses: 'licenses are a Kong Enterprise feature gw does not support',
  custom_entities: 'custom_entities are a Kong Enterprise feature gw does not support',
  service_packages: 'service_packages are a Konnect feature gw does not support',
  cloned_plugins: 'cloned_plugins are a Kong Enterprise feature gw does not support',
  custom_plugins: 'custom_plugins are a Konnect feature gw does not support; load plugins with --plugins',
  _konnect: '_konnect is a Konnect feature gw does not support',
  upstreams: 'upstreams are not supported by gw; point the service url at the target',
  keys: 'keys are not supported by gw',
  key_sets: 'key_sets are not supported by gw',
  filter_chains: 'filter_chains (WebAssembly) are not supported by gw',
  _plugin_configs: '_plugin_configs are not supported by gw; write the config inline',
  ai_models: 'ai_models are a Kong Enterprise (AI Gateway) feature gw does not support',
  // Keys of Kong's own declarative format (what `deck file kong2dbless` writes), not of decK files.
  consumer_group_consumers: "consumer_group_consumers belongs to Kong's DB-less format (kong.yml), not to decK files; gw reads decK files",
  consumer_group_plugins: "consumer_group_plugins belongs to Kong's DB-less format (kong.yml), not to decK files; gw reads decK files",
  plugins_partials: "plugins_partials belongs to Kong's DB-less format (kong.yml), not to decK files; gw reads decK files",
};

export interface MergedInfo {
  selectTags: string[];
  defaults: { service: Record<string, unknown>; route: Record<string, unknown> };
}

const FORMAT = '3.0';

/** Checks of one file's top-level keys (origin path is the document root). */
export function checkTopLevel(doc: Record<string, unknown>, fileIndex: number, report: Report, warn: Report): void {
  const o = { fileIndex, path: [] };
  const version = doc._format_version;
  if (typeof version === 'number') {
    report(o, ['_format_version'], `expected a string; write _format_version: "${FORMAT}"`);
  } else if (version !== undefined && version !== FORMAT) {
    report(o, ['_format_version'], `cannot apply '${typeof version === 'string' ? version : JSON.stringify(version)}' config format version to Kong version 3.0 or above (gw reads format ${FORMAT}; upgrade with 'deck file convert --from kong-gateway-2.x --to kong-gateway-3.x')`);
  }
  if (doc._transform === false) report(o, ['_transform'], 'false is not supported (decK always applies field transforms)');
  if (doc._workspace !== undefined && doc._workspace !== 'default') {
    report(o, ['_workspace'], 'workspaces are a Kong Enterprise feature gw does not support');
  }
  for (const [key, message] of Object.entries(UNSUPPORTED_KEYS)) {
    const v = doc[key];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    report(o, [key], message, { key: true });
  }
  const info = doc._info;
  if (!isRecord(info)) return;
  if (info.default_lookup_tags !== undefined) {
    report(o, ['_info', 'default_lookup_tags'], 'default_lookup_tags are not supported by gw (they need a live Kong)', { key: true });
  }
  if (info.consumer_group_policy_overrides === true) {
    report(o, ['_info', 'consumer_group_policy_overrides'], 'consumer group policy overrides are a Kong Enterprise feature gw does not support');
  }
  if (info.skip_hash_for_basic_auth === true) warn(o, ['_info', 'skip_hash_for_basic_auth'], 'has no effect: gw has no basic-auth credentials');
  if (info.include_plugin_definitions === true) {
    warn(o, ['_info', 'include_plugin_definitions'], 'has no effect: it concerns custom_plugins (Konnect), which gw does not support');
  }
  if (isRecord(info.defaults)) {
    for (const kind of ['upstream', 'target']) {
      const d = info.defaults[kind];
      if (isRecord(d) && Object.keys(d).length > 0) warn(o, ['_info', 'defaults', kind], `are not used: gw has no ${kind}s (upstreams are not supported)`, { key: true });
    }
  }
}

/** decK accepts a missing `_format_version` in some files as long as one file declares it. */
export function checkFormatDeclared(docs: readonly (Record<string, unknown> | undefined)[], report: Report): void {
  if (docs.some((d) => d?._format_version !== undefined)) return;
  const first = docs.findIndex((d) => d !== undefined);
  if (first >= 0) {
    report({ fileIndex: first, path: [] }, [], `cannot apply '1.1' config format version to Kong version 3.0 or above; add _format_version: "${FORMAT}"`);
  }
}

export function mergeInfo(docs: readonly (Record<string, unknown> | undefined)[], report: Report): MergedInfo {
  const merged: MergedInfo = { selectTags: [], defaults: { service: {}, route: {} } };
  docs.forEach((doc, fileIndex) => {
    const info = doc?._info;
    if (!isRecord(info)) return;
    if (Array.isArray(info.select_tags)) {
      for (const t of info.select_tags) if (typeof t === 'string' && !merged.selectTags.includes(t)) merged.selectTags.push(t);
    }
    if (!isRecord(info.defaults)) return;
    for (const kind of ['service', 'route'] as const) {
      const d = info.defaults[kind];
      if (!isRecord(d)) continue;
      const allowed = entityFields(kind);
      for (const [k, v] of Object.entries(d)) {
        if (!allowed.has(k) || k === 'id' || k === 'name' || k === 'routes' || k === 'plugins') {
          report({ fileIndex, path: ['_info', 'defaults', kind] }, [k], 'unknown field', { key: true });
        } else if (!(k in merged.defaults[kind])) merged.defaults[kind][k] = v;
      }
    }
  });
  return merged;
}

/** Precedence: entity value > `_info.defaults` > Kong's schema defaults (filled by ajv afterwards). */
export function applyDefaults(doc: Record<string, unknown>, info: MergedInfo): void {
  const fill = (entity: unknown, defaults: Record<string, unknown>, skip: string[]) => {
    if (!isRecord(entity)) return;
    for (const [k, v] of Object.entries(defaults)) {
      if (entity[k] === undefined && !skip.includes(k)) entity[k] = structuredClone(v);
    }
  };
  const routes = (list: unknown) => Array.isArray(list) && list.forEach((r) => fill(r, info.defaults.route, []));
  if (Array.isArray(doc.services)) {
    for (const s of doc.services) {
      // A url already says protocol, host, port and path.
      fill(s, info.defaults.service, isRecord(s) && s.url !== undefined ? ['protocol', 'host', 'port', 'path'] : []);
      if (isRecord(s)) routes(s.routes);
    }
  }
  routes(doc.routes);
}
