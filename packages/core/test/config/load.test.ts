import { describe, expect, it } from 'vitest';
import { load, loadOk, loadFail, writeFiles } from './helpers.js';
import { loadConfig, summarize } from '../../src/config/index.js';
import { testRegistry } from './test-registry.js';
import { dirname } from 'node:path';
import { definePlugin } from '@gw/plugin-api';
import type { AnyPlugin } from '../../src/runtime/registry.js';

const head = '_format_version: "3.0"\n';

describe('defaults', () => {
  it('fills Kong defaults for services, routes and plugins', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - name: bedrock
    url: https://bedrock-runtime.us-west-2.amazonaws.com/base
    routes:
      - name: claude
        paths: [/anthropic]
    plugins:
      - name: file-log
      - name: ai-proxy
`,
    });
    const [service] = config.services;
    expect(service).toMatchObject({
      name: 'bedrock', protocol: 'https', host: 'bedrock-runtime.us-west-2.amazonaws.com', port: 443, path: '/base',
      retries: 5, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, enabled: true,
    });
    expect(config.routes[0]).toMatchObject({
      service: { id: service.id }, protocols: ['http', 'https'], strip_path: true, preserve_host: false, regex_priority: 0,
      path_handling: 'v0', https_redirect_status_code: 426, request_buffering: true, response_buffering: true,
    });
    const [fileLog, aiProxy] = config.plugins;
    expect(fileLog).toMatchObject({ enabled: true, protocols: ['grpc', 'grpcs', 'http', 'https'], config: {}, service: { id: service.id }, route: null, consumer: null });
    expect(aiProxy.protocols).toEqual(['grpc', 'grpcs', 'http', 'https', 'ws', 'wss']);
  });

  it('parses the url shorthand like Kong: port from the scheme, no path unless given', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - {name: a, url: "http://localhost"}
  - {name: b, url: "http://localhost:8080/"}
  - {name: c, host: example.com, protocol: https}
`,
    });
    expect(config.services.map((s) => [s.protocol, s.host, s.port, s.path])).toEqual([
      ['http', 'localhost', 80, undefined],
      ['http', 'localhost', 8080, '/'],
      ['https', 'example.com', 443, undefined],
    ]);
  });

  it('lets protocol, host, port and path override the parts of url, as decK does', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - {name: a, url: "https://old.example.com:8443/v1", host: new.example.com}
  - {name: b, url: "https://example.com/v1", protocol: http, path: /v2}
  - {name: c, url: "http://example.com", port: 9000}
`,
    });
    expect(config.services.map((s) => [s.protocol, s.host, s.port, s.path])).toEqual([
      ['https', 'new.example.com', 8443, '/v1'],
      // decK takes the port from the url's scheme (443) before protocol overrides it.
      ['http', 'example.com', 443, '/v2'],
      ['http', 'example.com', 9000, undefined],
    ]);
  });

  it('checks a protocol given next to url, not only the url', async () => {
    const problems = await loadFail({ 'kong.yaml': `${head}services:\n  - {name: a, url: "http://example.com", protocol: grpc}\n` });
    expect(problems).toEqual(["kong.yaml:3:52 services[0].protocol: protocol 'grpc' is not supported by gw (only http and https)"]);
  });

  it('applies _info.defaults between the entity value and Kong defaults', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}_info:
  defaults:
    service: {retries: 1, read_timeout: 120000, port: 9000}
    route: {strip_path: false, preserve_host: true}
services:
  - name: s
    url: http://localhost
    retries: 3
    routes:
      - name: r
        paths: [/]
        preserve_host: false
  - name: t
    host: t.local
`,
    });
    expect(config.services[0]).toMatchObject({ retries: 3, read_timeout: 120000, port: 80, connect_timeout: 60000 });
    expect(config.services[1]).toMatchObject({ retries: 1, port: 9000 });
    expect(config.routes[0]).toMatchObject({ strip_path: false, preserve_host: false });
  });

  it('fills plugin config defaults from the plugin schema', async () => {
    const config = await loadOk({ 'kong.yaml': `${head}plugins:\n  - name: test-limits\n    config: {limit: 5}\n` });
    expect(config.plugins[0].config).toEqual({ limit: 5, window: 'minute' });
  });

  it('tags every entity with _info.select_tags', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}_info: {select_tags: [team-a]}
services:
  - {name: s, url: "http://x", tags: [own], routes: [{name: r, paths: [/]}]}
consumers:
  - username: alice
plugins:
  - name: file-log
`,
    });
    expect(config.services[0].tags).toEqual(['own', 'team-a']);
    expect(config.routes[0].tags).toEqual(['team-a']);
    expect(config.consumers[0].tags).toEqual(['team-a']);
    expect(config.plugins[0].tags).toEqual(['team-a']);
  });
});

describe('ids', () => {
  const yaml = `${head}services:
  - name: s
    url: http://localhost
    routes: [{name: r, paths: [/]}]
    plugins: [{name: file-log}]
consumers:
  - username: alice
    keyauth_credentials: [{key: k1}]
  - username: bob
    id: 0f6d3a52-3c0e-4a5e-9d8e-2c1b0a9f8e7d
`;

  it('derives stable UUIDv5 ids from names, identical across loads and files', async () => {
    const a = await loadOk({ 'kong.yaml': yaml });
    const b = await loadOk({ 'other.yaml': yaml });
    const ids = (c: typeof a) => [...c.services, ...c.routes, ...c.consumers, ...c.plugins].map((e) => e.id);
    expect(ids(a)).toEqual(ids(b));
    expect(a.consumers[0].keyauth_credentials[0].id).toBe(b.consumers[0].keyauth_credentials[0].id);
    for (const id of ids(a)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(a.services[0].id).toMatch(/^.{14}5.{3}-[89ab]/);
    expect(new Set(ids(a)).size).toBe(ids(a).length);
    expect(a.consumers[1].id).toBe('0f6d3a52-3c0e-4a5e-9d8e-2c1b0a9f8e7d');
  });

  it('changes the id when the name changes', async () => {
    const a = await loadOk({ 'kong.yaml': yaml });
    const b = await loadOk({ 'kong.yaml': yaml.replace('name: s', 'name: s2') });
    expect(a.services[0].id).not.toBe(b.services[0].id);
    expect(a.routes[0].id).toBe(b.routes[0].id);
  });
});

describe('multiple files', () => {
  it('merges files as decK does: lists appended, references across files, one _format_version enough', async () => {
    const config = await loadOk({
      'services.yaml': `${head}_info: {select_tags: [a]}
services:
  - name: s
    url: http://localhost
`,
      'routes.yaml': `_info: {select_tags: [b]}
routes:
  - name: r
    service: {name: s}
    paths: [/x]
plugins:
  - name: file-log
    service: s
    route: r
consumers:
  - username: alice
`,
    });
    expect(summarize(config)).toEqual({ services: 1, routes: 1, plugins: { 'file-log': 1 }, consumers: 1 });
    expect(config.routes[0].service).toEqual({ id: config.services[0].id });
    expect(config.plugins[0]).toMatchObject({ service: { id: config.services[0].id }, route: { id: config.routes[0].id } });
    expect(config.services[0].tags).toEqual(['a', 'b']);
    expect(config.files.map((f) => f.replace(/^.*[\\/]/, ''))).toEqual(['services.yaml', 'routes.yaml']);
    expect(config.locations.get(config.routes[0].id)).toMatchObject({ line: 3, column: 5, path: 'routes[0]' });
    expect(config.locations.get(config.routes[0].id)!.file).toMatch(/routes\.yaml$/);
  });

  it('reads the YAML and JSON files of a directory in name order', async () => {
    const [a] = writeFiles({ 'b.json': '{"services": [{"name": "json", "url": "http://j"}]}', 'a.yaml': `${head}services: [{name: yaml, url: "http://y"}]\n`, 'notes.txt': 'ignored' });
    const r = await loadConfig([dirname(a)], { plugins: testRegistry(), env: {} });
    expect(r.ok && r.config.services.map((s) => s.name)).toEqual(['yaml', 'json']);
  });

  it('reports duplicates across files with both positions', async () => {
    const problems = await loadFail({
      'a.yaml': `${head}services:\n  - name: s\n    url: http://a\n`,
      'b.yaml': `${head}services:\n  - name: s\n    url: http://b\n`,
    });
    expect(problems).toEqual(["b.yaml:3:11 services[0].name: duplicate service name 's' (also declared at a.yaml:3:5)"]);
  });

  it('resolves references by id as well as by name', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - id: 3b1f0a6e-8f7d-4c2b-9a1e-5d4c3b2a1f0e
    url: http://localhost
routes:
  - name: r
    paths: [/]
    service: {id: 3b1f0a6e-8f7d-4c2b-9a1e-5d4c3b2a1f0e}
plugins:
  - name: file-log
    service: 3b1f0a6e-8f7d-4c2b-9a1e-5d4c3b2a1f0e
`,
    });
    expect(config.routes[0].service).toEqual({ id: '3b1f0a6e-8f7d-4c2b-9a1e-5d4c3b2a1f0e' });
    expect(config.plugins[0].service).toEqual({ id: '3b1f0a6e-8f7d-4c2b-9a1e-5d4c3b2a1f0e' });
  });
});

describe('consumers and scopes', () => {
  it('keeps key-auth credentials and consumer-scoped plugins', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}consumers:
  - username: alice
    custom_id: a-1
    keyauth_credentials:
      - key: $alice_key
    plugins:
      - name: test-limits
        config: {limit: 10}
`,
    }, { env: { DECK_ALICE_KEY: 'alice-secret-key' } });
    expect(config.consumers[0]).toMatchObject({ username: 'alice', custom_id: 'a-1', keyauth_credentials: [{ key: 'alice-secret-key' }] });
    expect(config.plugins[0].consumer).toEqual({ id: config.consumers[0].id });
  });

  it('allows one plugin name per scope but the same name in different scopes', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - name: s
    url: http://localhost
    plugins: [{name: file-log, config: {path: /a}}]
    routes:
      - name: r
        paths: [/]
        plugins: [{name: file-log, config: {path: /b}}]
plugins:
  - name: file-log
`,
    });
    expect(config.plugins.map((p) => [p.service !== null, p.route !== null])).toEqual([[false, true], [true, false], [false, false]]);
  });
});

describe('problems', () => {
  it('reports every problem at once, in file order, with positions', async () => {
    const problems = await loadFail({
      'kong.yaml': `${head}services:
  - name: s
    url: http://localhost
    routes:
      - name: r
        paths:
          - /ok
          - bad
plugins:
  - name: ai-prxy
  - name: test-limits
    service: nope
    config: {limit: 0}
`,
    });
    expect(problems).toEqual([
      'kong.yaml:9:13 services[0].routes[0].paths[1]: must start with "/" or "~/"',
      "kong.yaml:11:11 plugins[0].name: unknown plugin 'ai-prxy'; did you mean 'ai-proxy'?",
      'kong.yaml:13:14 plugins[1].service: service nope for plugin test-limits: entity not found',
      'kong.yaml:14:21 plugins[1].config.limit: value should be between 1 and 1000',
    ]);
  });

  it('reports an unresolved plugin reference once, not also as a duplicate scope', async () => {
    const problems = await loadFail({
      'kong.yaml': `${head}services:
  - name: s
    url: http://localhost
    plugins:
      - name: file-log
      - name: file-log
        consumer: nobody
`,
    });
    expect(problems).toEqual(['kong.yaml:8:19 services[0].plugins[1].consumer: consumer nobody for plugin file-log: entity not found']);
  });

  it('tells Enterprise model-scoped instances apart: the refused model is the one problem, not a duplicate too', async () => {
    const problems = await loadFail({
      'kong.yaml': `${head}plugins:
  - {name: ai-proxy, model: gpt-4o}
  - {name: ai-proxy, model: gpt-5}
`,
    });
    expect(problems).toEqual([
      'kong.yaml:3:22 plugins[0].model: a plugin-level model (a reference to ai_models) is a Kong Enterprise feature gw does not support',
      'kong.yaml:4:22 plugins[1].model: a plugin-level model (a reference to ai_models) is a Kong Enterprise feature gw does not support',
    ]);
  });

  it('reports a file that cannot be read', async () => {
    const result = await loadConfig(['/nonexistent/gw/kong.yaml'], { plugins: testRegistry(), env: {} });
    expect(result).toEqual({ ok: false, problems: [{ file: '/nonexistent/gw/kong.yaml', line: 0, column: 0, path: '', message: 'cannot read file (ENOENT)' }] });
  });

  it('compiles a plugin schema once per plugin definition', async () => {
    let reads = 0;
    const plugin = definePlugin({
      name: 'counted', version: '1.0.0', priority: 1,
      get configSchema() {
        reads++;
        return { type: 'object', properties: { n: { type: 'integer', default: 1 } } };
      },
    });
    const registry = new Map([['counted', plugin as AnyPlugin]]);
    const files = writeFiles({ 'kong.yaml': `${head}plugins:\n  - name: counted\n  - name: counted\n    service: s\nservices: [{name: s, url: "http://s"}]\n` });
    for (let i = 0; i < 2; i++) {
      const r = await loadConfig(files, { plugins: registry, env: {} });
      expect(r.ok && r.config.plugins.map((p) => p.config)).toEqual([{ n: 1 }, { n: 1 }]);
    }
    expect(reads).toBe(1);
  });

  it('keeps positions right around anchors, aliases and merge keys', async () => {
    const problems = await loadFail({
      'kong.yaml': `${head}services:
  - &base
    name: a
    url: http://a
    retries: 2
  - <<: *base
    name: b
    retries: many
  - name: c
    url: http://c
    routes: [{name: r, paths: [*base]}]
`,
    });
    expect(problems).toEqual([
      'kong.yaml:9:14 services[1].retries: expected an integer',
      'kong.yaml:12:32 services[2].routes[0].paths[0]: expected a string',
    ]);
  });

  it('loads the same files repeatedly (schemas compiled once, not mutated)', async () => {
    const files = writeFiles({ 'kong.yaml': `${head}plugins:\n  - name: test-limits\n    config: {limit: 3}\n` });
    for (let i = 0; i < 3; i++) {
      const r = await loadConfig(files, { plugins: testRegistry(), env: {} });
      expect(r.ok && r.config.plugins[0].config).toEqual({ limit: 3, window: 'minute' });
    }
  });

  it('warns about a route without a service', async () => {
    const config = await loadOk({ 'kong.yaml': `${head}routes:\n  - name: lonely\n    paths: [/]\n` });
    expect(config.warnings).toEqual(["kong.yaml:3:5 routes[0]: route 'lonely' has no service: requests it matches get 503 unless a plugin answers them"]);
  });

  it('accepts a repeated mapping key with a warning naming both lines; the last one wins, as in decK', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - name: s
    url: http://localhost
    retries: 1
    retries: 2
    routes:
      - {name: r, paths: [/a], paths: [/b]}
    retries: 3
`,
    });
    expect(config.services[0].retries).toBe(3);
    expect(config.routes[0].paths).toEqual(['/b']);
    expect(config.warnings).toEqual([
      'kong.yaml:8:32 services[0].routes[0].paths: duplicated mapping key (also at 8:19); the last one is used, as in decK',
      'kong.yaml:9:5 services[0].retries: duplicated mapping key (also at 5:5, 6:5); the last one is used, as in decK',
    ]);
  });

  it('points a problem under a repeated key at the occurrence that was used', async () => {
    const problems = await loadFail({ 'kong.yaml': `${head}services:\n  - name: s\n    url: http://localhost\n    retries: 1\n    retries: many\n` });
    expect(problems).toEqual(['kong.yaml:6:14 services[0].retries: expected an integer']);
  });

  it('warns where plugin protocols read as a per-request filter, which they are not in Kong', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - name: s
    url: http://localhost
    routes:
      - {name: both, paths: [/both]}
      - {name: tls-only, paths: [/tls], protocols: [https]}
plugins:
  - name: test-auth
    protocols: [grpc, grpcs]
  - name: file-log
    protocols: [tcp, tls]
  - name: test-limits
    route: tls-only
    protocols: [https]
    config: {limit: 1}
  - name: ai-proxy
    service: s
    protocols: [https, grpc]
`,
    });
    expect(config.warnings).toEqual([
      "kong.yaml:10:16 plugins[0].protocols: does not list http or https, but the plugin still runs on http and https requests: Kong picks plugins by subsystem (any of http, https, grpc, grpcs), not by the request's protocol, and gw does the same",
      'kong.yaml:12:16 plugins[1].protocols: lists only stream protocols (tcp, tls): Kong runs this plugin on stream routes only, which gw does not serve, so it never runs',
      "kong.yaml:19:16 plugins[3].protocols: does not list http, but the plugin still runs on http requests: Kong picks plugins by subsystem (any of http, https, grpc, grpcs), not by the request's protocol, and gw does the same",
    ]);
  });

  it('warns once per field when routes write request_buffering or response_buffering: true (gw streams)', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}_info:
  defaults:
    route: {response_buffering: true}
services:
  - name: s
    url: http://localhost
    routes:
      - {name: a, paths: [/a], request_buffering: true, response_buffering: false}
      - {name: b, paths: [/b], request_buffering: true}
routes:
  - {name: c, paths: [/c], service: s, request_buffering: true}
  - {name: d, paths: [/d], service: s, request_buffering: false}
`,
    });
    expect(config.routes.map((r) => [r.request_buffering, r.response_buffering])).toEqual([[true, false], [true, true], [true, true], [false, true]]);
    expect(config.warnings).toEqual([
      'kong.yaml:4:33 _info.defaults.route.response_buffering: true is not honoured: gw sends a response to the client as it arrives, as Kong does with response_buffering: false',
      'kong.yaml:9:51 services[0].routes[0].request_buffering: true (and in 2 more places) is not honoured: gw sends a request body to the upstream as it arrives unless a plugin reads it (a chunked body stays chunked), as Kong does with request_buffering: false',
    ]);
  });

  it("warns about a path that looks like a regex without '~' (decK's route-regex-path-format)", async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - name: s
    url: http://localhost
    routes:
      - name: r
        paths: [/users/\\d+, '~/items/\\d+$', /plain/path-1.2_x~y, /a%20b]
`,
    });
    expect(config.warnings).toEqual([
      "kong.yaml:7:17 services[0].routes[0].paths[0]: looks like a regex but has no '~' prefix, so it is matched as a plain prefix since Kong 3.0; write '~/users/\\d+' if it is a regex (decK's route-regex-path-format)",
    ]);
  });

  it("prints a plugin's warnings (fields it accepts and does not act on) without refusing the config", async () => {
    const config = await loadOk({ 'kong.yaml': `${head}plugins:\n  - name: test-limits\n    config: {limit: 3, window: hour}\n` });
    expect(config.warnings).toEqual(['kong.yaml:4:32 plugins[0].config.window: hour is accepted and not acted on']);
  });

  it('warns about _info settings that have no effect in gw', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}_info:
  skip_hash_for_basic_auth: true
  include_plugin_definitions: true
  defaults:
    upstream: {slots: 100}
    target: {}
`,
    });
    expect(config.warnings).toEqual([
      'kong.yaml:3:29 _info.skip_hash_for_basic_auth: has no effect: gw has no basic-auth credentials',
      'kong.yaml:4:31 _info.include_plugin_definitions: has no effect: it concerns custom_plugins (Konnect), which gw does not support',
      'kong.yaml:6:5 _info.defaults.upstream: are not used: gw has no upstreams (upstreams are not supported)',
    ]);
  });

  it('accepts an empty but valid config', async () => {
    const r = await load({ 'kong.yaml': head });
    expect(r.ok && summarize(r.config)).toEqual({ services: 0, routes: 0, plugins: {}, consumers: 0 });
  });
});

describe('consumer groups', () => {
  it("loads decK's consumer_groups: members through consumers[].groups and the group's own list, nested and consumer_group-scoped plugins", async () => {
    const config = await loadOk({
      'kong.yaml': `${head}consumer_groups:
  - name: silver
    tags: [tier]
    consumers:
      - username: bob
      - username: carol
    plugins:
      - name: file-log
        config: {path: /tmp/silver.log}
  - name: gold
consumers:
  - username: alice
    groups:
      - name: silver
      - name: gold
  - username: bob
    keyauth_credentials:
      - key: bob-key
plugins:
  - name: file-log
    consumer_group: gold
    config: {path: /tmp/gold.log}
`,
    });
    const [silver, gold] = config.consumerGroups;
    expect(silver).toMatchObject({ name: 'silver', tags: ['tier'] });
    expect(gold.name).toBe('gold');
    const byName = new Map(config.consumers.map((c) => [c.username, c]));
    // Sorted by name: Kong's tie-break among a consumer's groups.
    expect(byName.get('alice')!.consumer_groups!.map((g) => g.name)).toEqual(['gold', 'silver']);
    expect(byName.get('bob')!.consumer_groups!.map((g) => g.name)).toEqual(['silver']);
    expect(byName.get('bob')!.keyauth_credentials.map((k) => k.key)).toEqual(['bob-key']);
    // decK creates a member no consumers entry declares.
    expect(byName.get('carol')).toMatchObject({ username: 'carol', keyauth_credentials: [] });
    expect(config.consumers).toHaveLength(3);
    const [nested, scoped] = config.plugins;
    expect(nested.consumer_group).toEqual({ id: silver.id });
    expect(scoped.consumer_group).toEqual({ id: gold.id });
    expect(scoped.consumer).toBeNull();
  });

  it('gives a consumer group the same id on every load, derived from its name', async () => {
    const yaml = `${head}consumer_groups:\n  - name: gold\n`;
    const [a, b] = [await loadOk({ 'kong.yaml': yaml }), await loadOk({ 'kong.yaml': yaml })];
    expect(a.consumerGroups[0].id).toBe(b.consumerGroups[0].id);
    expect(a.consumerGroups[0].id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
