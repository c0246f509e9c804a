// Installs a pinned npm package into .cache/<folder>/<version>/ once (later calls reuse it): how the
// end-to-end tests get real client CLIs (install-claude-code.mjs, install-codex.mjs) without touching the
// workspace's own dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The installed package's folder, installing `name@version` into `.cache/<folder>/<version>` first if needed.
 * @param {string} folder
 * @param {string} name
 * @param {string} version
 */
export function ensureNpmPackage(folder, name, version) {
  const prefix = join(root, '.cache', folder, version);
  const pkg = join(prefix, 'node_modules', ...name.split('/'));
  if (!existsSync(join(pkg, 'package.json'))) {
    mkdirSync(prefix, { recursive: true });
    execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', `${name}@${version}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  }
  return { prefix, pkg };
}
