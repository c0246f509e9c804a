import type { PluginDefinition } from '@gw/plugin-api';

export type AnyPlugin = PluginDefinition<any, any, any>;

/** The plugins gw knows in this process, by name: the bundled ones plus `--plugins` packages. */
export type PluginRegistry = ReadonlyMap<string, AnyPlugin>;
