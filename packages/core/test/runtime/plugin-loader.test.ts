import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { definePlugin } from '@gw/plugin-api';
import { checkPluginDefinition, loadPluginRegistry, PluginLoadError } from '../../src/runtime/plugin-loader.js';
import type { AnyPlugin } from '../../src/runtime/registry.js';

const schema = { type: 'object', properties: {} };
const fileLog = definePlugin({ name: 'file-log', version: '1.0.0', priority: 9, configSchema: schema, log() {} });
const aiProxy = definePlugin({ name: 'ai-proxy', version: '1.0.0', priority: 770, configSchema: schema, access() {} });
const bundled: AnyPlugin[] = [aiProxy, fileLog];

/** A plugin module's source: a plain object default export (no imports, so it loads from anywhere). */
const pluginSource = (name: string, extra = '') =>
  `export default { name: '${name}', version: '0.1.0', priority: 5, configSchema: { type: 'object' }, access() {}${extra} };\n`;

let root: string;
const write = (rel: string, text: string) => {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'gw-plugin-loader-'));
  // An ESM-only package that exports only the `import` condition (require.resolve can't see it).
  write('app/node_modules/gw-plugin-esm/package.json', JSON.stringify({ name: 'gw-plugin-esm', type: 'module', exports: { '.': { import: './lib/index.js' } } }));
  write('app/node_modules/gw-plugin-esm/lib/index.js', pluginSource('esm-stamp'));
  // A CommonJS package with `main`.
  write('app/node_modules/gw-plugin-cjs/package.json', JSON.stringify({ name: 'gw-plugin-cjs', main: 'main.cjs' }));
  write('app/node_modules/gw-plugin-cjs/main.cjs', `module.exports = { name: 'cjs-stamp', version: '2.0.0', priority: 1, configSchema: { type: 'object' } };\n`);
  // Broken packages.
  write('app/node_modules/gw-plugin-nodefault/package.json', JSON.stringify({ name: 'gw-plugin-nodefault', type: 'module', exports: './index.js' }));
  write('app/node_modules/gw-plugin-nodefault/index.js', 'export const plugin = {};\n');
  write('app/node_modules/gw-plugin-throws/package.json', JSON.stringify({ name: 'gw-plugin-throws', type: 'module', exports: './index.js' }));
  write('app/node_modules/gw-plugin-throws/index.js', "throw new Error('boom at import');\n");
  write('app/node_modules/gw-plugin-bad/package.json', JSON.stringify({ name: 'gw-plugin-bad', type: 'module', exports: './index.js' }));
  write('app/node_modules/gw-plugin-bad/index.js', "export default { name: 'Bad_Name', version: '1.0', priority: 1.5, configSchema: { type: 'object' }, acess() {}, log: 'x' };\n");
  write('app/node_modules/gw-plugin-dup/package.json', JSON.stringify({ name: 'gw-plugin-dup', type: 'module', exports: './index.js' }));
  write('app/node_modules/gw-plugin-dup/index.js', pluginSource('file-log'));
  // A plugin file and a plugin folder next to the config file.
  write('app/config/local-plugin.mjs', pluginSource('local-stamp'));
  write('app/config/folder-plugin/package.json', JSON.stringify({ name: 'folder-plugin', type: 'module', exports: { '.': { types: './x.d.ts', default: './src/index.js' } } }));
  write('app/config/folder-plugin/src/index.js', pluginSource('folder-stamp'));
  // A package whose own folder holds the config file resolves itself by name (Node's self-reference).
  write('self/package.json', JSON.stringify({ name: 'gw-plugin-self', type: 'module', exports: { '.': './src/index.js' } }));
  write('self/src/index.js', pluginSource('self-stamp'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const names = (registry: ReadonlyMap<string, AnyPlugin>) => [...registry.keys()];

describe('loadPluginRegistry', () => {
  it('expands bundled, and takes single bundled plugins by name', async () => {
    expect(names(await loadPluginRegistry(['bundled'], { baseDir: root, bundled }))).toEqual(['ai-proxy', 'file-log']);
    expect(names(await loadPluginRegistry(['file-log'], { baseDir: root, bundled }))).toEqual(['file-log']);
    expect(names(await loadPluginRegistry([], { baseDir: root, bundled }))).toEqual([]);
    // Repeats collapse instead of counting as duplicates.
    expect(names(await loadPluginRegistry(['bundled', ' file-log ', 'bundled', ''], { baseDir: root, bundled }))).toEqual(['ai-proxy', 'file-log']);
  });

  it('resolves packages from the config folder like Node, including ESM-only and CommonJS ones', async () => {
    const registry = await loadPluginRegistry(['bundled', 'gw-plugin-esm', 'gw-plugin-cjs'], { baseDir: path.join(root, 'app/config'), bundled });
    expect(names(registry)).toEqual(['ai-proxy', 'file-log', 'esm-stamp', 'cjs-stamp']);
    expect(registry.get('cjs-stamp')!.version).toBe('2.0.0');
  });

  it('loads a plugin file or folder by path relative to the config folder', async () => {
    const registry = await loadPluginRegistry(['./local-plugin.mjs', './folder-plugin'], { baseDir: path.join(root, 'app/config'), bundled });
    expect(names(registry)).toEqual(['local-stamp', 'folder-stamp']);
    const absolute = await loadPluginRegistry([path.join(root, 'app/config/local-plugin.mjs')], { baseDir: '/', bundled });
    expect(names(absolute)).toEqual(['local-stamp']);
    const url = pathToFileURL(path.join(root, 'app/config/folder-plugin')).href;
    expect(names(await loadPluginRegistry([url], { baseDir: '/', bundled }))).toEqual(['folder-stamp']);
  });

  it("resolves the package a config file lives in by the package's own name", async () => {
    const registry = await loadPluginRegistry(['gw-plugin-self'], { baseDir: path.join(root, 'self/examples'), bundled });
    expect(names(registry)).toEqual(['self-stamp']);
  });

  it('names the package and the folder when it cannot be found', async () => {
    const baseDir = path.join(root, 'app/config');
    await expect(loadPluginRegistry(['bundled', 'gw-plugin-nope'], { baseDir, bundled })).rejects.toThrow(
      new PluginLoadError(`cannot find plugin package 'gw-plugin-nope' from ${baseDir}`),
    );
    await expect(loadPluginRegistry(['./missing.js'], { baseDir, bundled })).rejects.toThrow(`cannot find plugin package './missing.js' from ${baseDir}`);
  });

  it('reports a package without a default export, and one that throws while loading', async () => {
    const baseDir = path.join(root, 'app');
    await expect(loadPluginRegistry(['gw-plugin-nodefault'], { baseDir, bundled })).rejects.toThrow(
      /^plugin package 'gw-plugin-nodefault' \(.*index\.js\) has no default export: export default definePlugin\(\{\.\.\.\}\)$/,
    );
    await expect(loadPluginRegistry(['gw-plugin-throws'], { baseDir, bundled })).rejects.toThrow(
      /^plugin package 'gw-plugin-throws' \(.*index\.js\) failed to load: boom at import$/,
    );
  });

  it('rejects an invalid definition with every issue, naming the package', async () => {
    const err = await loadPluginRegistry(['gw-plugin-bad'], { baseDir: path.join(root, 'app'), bundled }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginLoadError);
    expect((err as Error).message).toBe(
      "plugin package 'gw-plugin-bad': invalid plugin definition: name must be kebab-case, got 'Bad_Name'; " +
        "version must be semver x.y.z, got '1.0'; priority must be an integer, got 1.5; log must be a function; " +
        "unknown property 'acess' (known: name, version, priority, configSchema, scopes, protocols, statusEndpoints, validate, errorFormat, init, close, reopen, status, access, upstream, afterTry, responseHeaders, responseBody, log, authenticates, usesGatewayCredentials)",
    );
  });

  it('rejects two plugins with the same name', async () => {
    await expect(loadPluginRegistry(['bundled', 'gw-plugin-dup'], { baseDir: path.join(root, 'app'), bundled })).rejects.toThrow(
      "plugin 'file-log' is defined twice: by bundled plugin 'file-log' and by plugin package 'gw-plugin-dup'",
    );
  });

  it('checks bundled plugins too', async () => {
    const broken = { ...fileLog, priority: 'high' } as unknown as AnyPlugin;
    await expect(loadPluginRegistry(['bundled'], { baseDir: root, bundled: [broken] })).rejects.toThrow(
      "bundled plugin 'file-log': invalid plugin definition: priority must be an integer, got 'high'",
    );
  });
});

describe('checkPluginDefinition', () => {
  it('accepts a complete definition and semver pre-releases', () => {
    expect(checkPluginDefinition(aiProxy)).toEqual([]);
    expect(checkPluginDefinition({ ...fileLog, version: '1.2.3-beta.1+build.5', priority: -10 })).toEqual([]);
  });

  it('requires an object config schema', () => {
    expect(checkPluginDefinition({ ...fileLog, configSchema: undefined })).toEqual(['configSchema must be a JSON Schema object']);
    expect(checkPluginDefinition({ ...fileLog, configSchema: { type: 'string' } })).toEqual(["configSchema.type must be 'object', got 'string'"]);
    expect(checkPluginDefinition(null)).toEqual(['expected an object made with definePlugin({...})']);
  });

  it('checks the declared scopes and protocols', () => {
    expect(checkPluginDefinition({ ...fileLog, scopes: { consumer: false }, protocols: { allowed: ['http', 'https'], default: ['http'] } })).toEqual([]);
    expect(checkPluginDefinition({ ...fileLog, scopes: { consumers: false, route: 'no' } })).toEqual([
      "scopes: unknown scope 'consumers' (known: service, route, consumer)",
      'scopes.route must be a boolean',
    ]);
    expect(checkPluginDefinition({ ...fileLog, protocols: { allowed: ['http'], default: ['https'] } })).toEqual(['protocols.default must be a subset of protocols.allowed']);
    expect(checkPluginDefinition({ ...fileLog, protocols: { allowed: ['htp'] } })[0]).toMatch(/^protocols.allowed must be a non-empty list of grpc, /);
  });
});
