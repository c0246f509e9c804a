/** `gw sync`: validate the config files offline, like `deck file validate` plus plugin config checks. */
import { findOpenRoutes, openRouteWarnings, summarize, PluginLoadError } from '@gw/core';
import { loadPlugins, readConfig } from '../load.js';
import { err, out, plural, printProblems } from '../output.js';

/** decK's message for an unset variable (config/env.ts). */
const UNSET_ENV = /^environment variable '.+' present in state file but not set$/;

export interface SyncOptions {
  state: string[];
  json?: boolean;
  mockEnv?: boolean;
  plugins?: string;
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
