/**
 * Plugin entity checks: is the plugin known (with "did you mean"), Enterprise-only fields, and the
 * plugin's own config schema (defaults filled in place) plus its `validate` cross-field rules.
 */
import type { KongProtocol } from '@gw/plugin-api';
import type { AnyPlugin, PluginRegistry } from '../runtime/registry.js';
import { isRecord } from './collect.js';
import type { PluginItem, Report } from './collect.js';
import { ENTERPRISE_PLUGINS, KONG_DEFAULT_PLUGIN_PROTOCOLS, KONG_OSS_PLUGINS, didYouMean } from './kong-plugins.js';
import { pluginConfigValidator } from './schemas.js';
import { translateAjvErrors } from './ajv-messages.js';
import type { PathSegment } from './yaml.js';

const ENTERPRISE_FIELDS: Record<string, string> = {
  consumer_group: 'consumer_group scoping is a Kong Enterprise feature gw does not support',
  ordering: 'dynamic plugin ordering is a Kong Enterprise feature gw does not support',
  partials: 'partials are a Kong Enterprise feature gw does not support',
  _config: '_plugin_configs references are not supported by gw; write the config inline',
  condition: 'condition (conditional plugin execution) is a Kong Enterprise feature gw does not support',
  model: 'a plugin-level model (a reference to ai_models) is a Kong Enterprise feature gw does not support',
  run_on: "run_on was removed in Kong 3.0 (with Kong's service mesh); remove it",
};

/** Returns true when the plugin is known and its config is valid (the config was normalized in place). */
/**
 * `declared`: plugin names the files define through Enterprise/Konnect entities (cloned_plugins,
 * custom_plugins), refused on their own; an instance of one is named as such, not as unknown.
 */
export function checkPlugin(
  item: PluginItem,
  registry: PluginRegistry,
  report: Report,
  warn: Report,
  declared: ReadonlyMap<string, string> = new Map(),
  dirOf: (fileIndex: number) => string = () => process.cwd(),
): boolean {
  const raw = item.raw;
  const o = item.origin;
  for (const [field, message] of Object.entries(ENTERPRISE_FIELDS)) {
    if (raw[field] !== undefined) report(o, [field], message, { key: true });
  }
  if (item.nestedUnder && raw[item.nestedUnder.kind] !== undefined) {
    const kind = item.nestedUnder.kind;
    const ref = raw[kind];
    const shown = typeof ref === 'string' ? ref : isRecord(ref) ? String(ref.name ?? ref.id) : '';
    report(o, [kind], `nesting ${kind} (${shown}) under ${kind}-scoped plugin (${String(raw.name)}) is not allowed`, { key: true });
  }
  const name = raw.name;
  if (typeof name !== 'string') return false;
  const plugin = registry.get(name);
  if (!plugin) {
    const by = declared.get(name);
    report(o, ['name'], by ? `plugin '${name}' is defined by ${by}, which gw does not support` : unknownPluginMessage(name, registry));
    return false;
  }
  checkScopeRules(item, plugin, report);
  const allowed = plugin.protocols?.allowed;
  if (allowed && Array.isArray(raw.protocols)) {
    raw.protocols.forEach((p, i) => {
      if (typeof p === 'string' && !allowed.includes(p as KongProtocol)) report(o, ['protocols', i], `expected one of: ${allowed.join(', ')}`);
    });
  }
  // The plugin's own default (ai-proxy's adds ws, wss), else Kong's generic one.
  if (raw.protocols === undefined) raw.protocols = [...(plugin.protocols?.default ?? KONG_DEFAULT_PLUGIN_PROTOCOLS)];
  // Part of the config lives in _plugin_configs (refused above): checking the rest alone would only echo.
  if (raw._config !== undefined) return false;
  if (raw.config === undefined || raw.config === null) raw.config = {};
  if (!isRecord(raw.config)) return false;
  const validate = pluginConfigValidator(plugin);
  if (validate instanceof Error) {
    report(o, ['name'], `plugin '${name}' has an invalid config schema (a bug in the plugin): ${validate.message}`);
    return false;
  }
  if (!validate(raw.config)) {
    for (const p of translateAjvErrors(validate.errors ?? [], raw.config, ['config'])) {
      report(o, p.path, p.message, { key: p.key, at: p.at });
    }
    return false;
  }
  let issues;
  try {
    issues = plugin.validate?.(raw.config, { configDir: dirOf(o.fileIndex) }) ?? [];
  } catch (err) {
    report(o, ['config'], `plugin '${name}' failed to check its config: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
  let errors = 0;
  for (const issue of issues) {
    const at = ['config', ...parseIssuePath(issue.path)];
    if (issue.severity === 'warning') warn(o, at, issue.message);
    else {
      errors++;
      report(o, at, issue.message);
    }
  }
  return errors === 0;
}

/** Kong's no_consumer / no_route / no_service, as the plugin declares them (`scopes`). */
function checkScopeRules(item: PluginItem, plugin: AnyPlugin, report: Report): void {
  const scopes = plugin.scopes;
  if (!scopes) return;
  for (const kind of ['service', 'route', 'consumer'] as const) {
    if (scopes[kind] !== false) continue;
    const message = `plugin '${plugin.name}' cannot be scoped to a ${kind}`;
    if (item.nestedUnder?.kind === kind) report(item.origin, [], `${message} (Kong: ${kind}: value must be null)`);
    else if (item.raw[kind] !== undefined && item.raw[kind] !== null) report(item.origin, [kind], `${message} (Kong: value must be null)`, { key: true });
  }
}

export function unknownPluginMessage(name: string, registry: PluginRegistry): string {
  if (ENTERPRISE_PLUGINS.has(name)) return `plugin '${name}' is a Kong Enterprise plugin; gw does not support it`;
  const suggestion = didYouMean(name, registry.keys());
  if (KONG_OSS_PLUGINS.has(name)) {
    return `plugin '${name}' is a Kong plugin gw does not bundle; load an implementation with --plugins${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`;
  }
  return `unknown plugin '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`;
}

/** `model.options.max_tokens` or `targets[0].auth` → path segments. */
function parseIssuePath(path: string): PathSegment[] {
  if (!path) return [];
  const out: PathSegment[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}
