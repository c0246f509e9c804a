/**
 * `gw sync`: validate the config files offline, like `deck file validate` plus plugin config checks; with
 * `--admin URL`, then apply them to a running gw as `deck gateway sync` does: diff, POST /config, summary.
 */
import { findOpenRoutes, openRouteWarnings, summarize, PluginLoadError } from '@gw/core';
import { loadPlugins, readConfig } from '../load.js';
import { err, out, plural, printProblems } from '../output.js';
import { planChanges, planLines, summary } from '../admin/plan.js';
import { syncPayload } from '../admin/payload.js';

/** decK's message for an unset variable (config/env.ts). */
const UNSET_ENV = /^environment variable '.+' present in state file but not set$/;

export interface SyncOptions {
  state: string[];
  json?: boolean;
  mockEnv?: boolean;
  plugins?: string;
  admin?: string;
  adminToken?: string;
  dryRun?: boolean;
}

export async function runSync(opts: SyncOptions): Promise<number> {
  let plugins;
  try {
    plugins = await loadPlugins(opts.state, opts.plugins);
  } catch (error) {
    if (!(error instanceof PluginLoadError) || !opts.json) throw error;
    out(JSON.stringify({ ok: false, error: error.message }, null, 2));
    return 1;
  }
  if (opts.admin !== undefined) return syncToAdmin({ ...opts, admin: opts.admin }, plugins);
  if (opts.dryRun) {
    err('gw: error: --dry-run needs --admin (without it, gw sync only validates)');
    return 1;
  }
  const result = await readConfig(opts.state, plugins, opts.mockEnv ? 'mock' : 'expand');

  if (!result.ok) {
    if (opts.json) {
      const problems = result.problems.map(({ file, line, column, path, message }) => ({ file, line, column, path, message }));
      out(JSON.stringify({ ok: false, problems }, null, 2));
    } else {
      printProblems(result.problems);
      err(`invalid: ${plural(result.problems.length, 'problem')} in ${opts.state.join(', ')}`);
      if (!opts.mockEnv && result.problems.some((p) => UNSET_ENV.test(p.message))) {
        err('hint: export the DECK_ variables, or check the file without secrets: gw sync --mock-env');
      }
    }
    return 1;
  }

  const warnings = [...result.warnings, ...openRouteWarnings(findOpenRoutes(result.config, plugins))];
  const summary = summarize(result.config);
  if (opts.json) {
    out(JSON.stringify({ ok: true, summary, warnings }, null, 2));
    return 0;
  }
  const byName = Object.entries(summary.plugins).map(([name, count]) => `${name}: ${count}`);
  const pluginCount = Object.values(summary.plugins).reduce((sum, count) => sum + count, 0);
  out(`valid: ${opts.state.join(', ')}`);
  out(`services: ${summary.services}`);
  out(`routes: ${summary.routes}`);
  out(`plugins: ${pluginCount}${byName.length > 0 ? ` (${byName.join(', ')})` : ''}`);
  out(`consumers: ${summary.consumers}`);
  for (const warning of warnings) err(`warning: ${warning}`);
  return 0;
}

async function syncToAdmin(opts: SyncOptions & { admin: string }, plugins: Awaited<ReturnType<typeof loadPlugins>>): Promise<number> {
  if (opts.mockEnv || opts.json) {
    err(`gw: error: ${opts.mockEnv ? '--mock-env' : '--json'} validates offline; it doesn't go with --admin`);
    return 1;
  }
  const plan = await planChanges(opts, plugins);
  if (!plan) return 1;
  for (const line of planLines(plan)) out(line);
  if (opts.dryRun || (plan.same && plan.changes.length === 0)) {
    for (const line of summary(opts.dryRun ? plan.changes : [])) out(line);
    return 0;
  }
  const payload = JSON.stringify(syncPayload(plan.documents), null, 2);
  const answer = await plan.client.postConfig(payload, '?check_hash=1&flatten_errors=1');
  if (answer.status === 201 || answer.status === 304) {
    // 304: the running config became this one meanwhile (another sync).
    for (const line of summary(answer.status === 201 ? plan.changes : [])) out(line);
    return 0;
  }
  const body = answer.body ?? {};
  const problems = Array.isArray(body.problems) ? (body.problems as unknown[]).map(String) : [];
  for (const line of problems) err(line);
  err(`gw: error: ${plan.client.url} refused the configuration (${answer.status}): ${typeof body.message === 'string' && problems.length === 0 ? body.message : plural(problems.length, 'problem')}; the running configuration is unchanged`);
  return 1;
}
