/** The shared first step of `gw sync` and `gw start`: plugins from the config folder, then the config files. */
import path from 'node:path';
import { loadConfig, loadPluginRegistry, type LoadOptions, type PluginRegistry } from '@gw/core';
import { BUNDLED_PLUGINS } from './bundled.js';
import { pluginSpecs } from './plugin-specs.js';

export async function loadPlugins(files: string[], flag: string | undefined): Promise<PluginRegistry> {
  // Plugin packages resolve from the first config file's folder, like Node would resolve them there.
  const baseDir = path.dirname(path.resolve(files[0] ?? 'kong.yaml'));
  return loadPluginRegistry(pluginSpecs(flag, process.env), { baseDir, bundled: BUNDLED_PLUGINS });
}

/**
 * `mock` renders `${{ env "DECK_X" }}` without the variables set (decK's offline validation mode).
 * `-` is standard input (decK's `-s -`), read to its end once: a SIGHUP reload reuses that text, with
 * the environment read again.
 */
export async function readConfig(files: string[], plugins: PluginRegistry, mode: 'expand' | 'mock', options: Pick<LoadOptions, 'vaults' | 'keepDocuments'> = {}) {
  return loadConfig(files, { env: process.env, mode, plugins, stdin: await stdinOf(files), ...options });
}

/** The text of `-` among `files` (read once), or undefined. */
export async function stdinOf(files: string[]): Promise<string | undefined> {
  return files.includes('-') ? readStdinOnce() : undefined;
}

let stdinText: Promise<string> | undefined;

function readStdinOnce(): Promise<string> {
  stdinText ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  })();
  return stdinText;
}
