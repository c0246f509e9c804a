import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `version` in the package.json of the package that holds `moduleUrl` (pass `import.meta.url`): the
 * nearest package.json above it, as Node finds a module's package. That holds for a module run from
 * src/ under the tests, from dist/ in a checkout, and from an installed tarball (npm always ships
 * package.json), so every gw package reads its version this one way.
 */
export function packageVersion(moduleUrl: string | URL): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
      if (typeof version !== 'string') throw new Error(`${manifest} has no "version"`);
      return version;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
