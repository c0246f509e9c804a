import { describe, expect, it } from 'vitest';
import { pluginSpecs } from '../src/plugin-specs.js';

describe('pluginSpecs', () => {
  it('defaults to the bundled plugins', () => {
    expect(pluginSpecs(undefined, {})).toEqual(['bundled']);
  });

  it('reads GW_PLUGINS, and --plugins wins over it', () => {
    expect(pluginSpecs(undefined, { GW_PLUGINS: 'bundled, gw-plugin-a ,./local.js' })).toEqual(['bundled', 'gw-plugin-a', './local.js']);
    expect(pluginSpecs('file-log', { GW_PLUGINS: 'bundled,gw-plugin-a' })).toEqual(['file-log']);
  });

  it('allows an empty list (no plugins at all)', () => {
    expect(pluginSpecs('', { GW_PLUGINS: 'bundled' })).toEqual([]);
    expect(pluginSpecs(' , ', {})).toEqual([]);
  });
});
