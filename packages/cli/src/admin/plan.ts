/** The shared first half of `gw diff` and `gw sync --admin`: the local file validated, the running gw read, the changes between them. */
import { adminEntities, configurationHash, type GatewayConfig, type LoadedSecrets, type PluginRegistry } from '@gw/core';
import { readConfig } from '../load.js';
import { err, plural, printProblems } from '../output.js';
import { adminClient, remoteEntities, type AdminClient } from './client.js';
import { diffEntities, formatChanges, masker, summary, type Change } from './diff.js';

export interface AdminTarget {
  state: string[];
  admin: string;
  adminToken?: string;
}

export interface Plan {
  client: AdminClient;
  config: GatewayConfig;
  documents: (Record<string, unknown> | undefined)[];
  secrets: LoadedSecrets;
  changes: Change[];
  /** The configuration hashes differ although no entity shows a change: a secret (redacted on both sides) did. */
  secretsDiffer: boolean;
  /** No change at all: the hashes are equal. */
  same: boolean;
}

/** undefined when the local files are invalid (their problems were printed). */
export async function planChanges(opts: AdminTarget, plugins: PluginRegistry): Promise<Plan | undefined> {
  // A vault reference this machine can't resolve is the server's to resolve.
  const loaded = await readConfig(opts.state, plugins, 'expand', { vaults: 'lenient', keepDocuments: true });
  if (!loaded.ok) {
    printProblems(loaded.problems);
    err(`invalid: ${plural(loaded.problems.length, 'problem')} in ${opts.state.join(', ')}`);
    return undefined;
  }
  for (const warning of loaded.warnings) err(`warning: ${warning}`);
  const client = adminClient(opts.admin, opts.adminToken);
  const [root, remote] = await Promise.all([client.get('/'), remoteEntities(client)]);
  const changes = diffEntities(adminEntities(loaded.config, plugins, loaded.secrets.vault), remote);
  const same = root.configuration_hash === configurationHash(loaded.config);
  return { client, config: loaded.config, documents: loaded.documents ?? [], secrets: loaded.secrets, changes, secretsDiffer: changes.length === 0 && !same, same };
}

/** The decK-style lines of a plan, env values masked. */
export function planLines(plan: Plan): string[] {
  const lines = formatChanges(plan.changes, masker(plan.secrets.env));
  if (plan.secretsDiffer) lines.push('updating values the admin API redacts (secrets): they differ from the running configuration (not shown)');
  return lines;
}

export { summary };
