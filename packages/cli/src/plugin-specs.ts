/**
 * Which plugins to load, Kong's `plugins` setting: `--plugins` wins over `GW_PLUGINS`, and both default
 * to `bundled`. A comma list of `bundled`, bundled plugin names, npm package names and paths.
 */
export function pluginSpecs(flag: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const list = flag ?? env.GW_PLUGINS ?? 'bundled';
  return list
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
}
