/**
 * Consumer groups through the real gateway: key-auth finds the consumer, and a plugin scoped to one of
 * its groups wins over the route's and the global instance, a consumer's own instance wins over its
 * group's, and the first group by name wins among two. Plugins see the consumer's groups and credential.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { definePlugin } from '@gw/plugin-api';
import { startGateway, type RunningGateway } from './support/gateway.js';

/** Answers with the label of the config that applied, the consumer's groups and credential. */
const groupTag = definePlugin<{ label: string }>({
  name: 'group-tag',
  version: '1.0.0',
  priority: 800,
  configSchema: { type: 'object', required: ['label'], properties: { label: { type: 'string' } }, additionalProperties: false },
  responseHeaders({ ctx, config, response }) {
    response.headers['x-tag'] = config.label;
    response.headers['x-groups'] = ctx.consumerGroups.map((g) => g.name).join(',');
    response.headers['x-credential'] = ctx.credential === null ? 'none' : 'yes';
    response.headers['x-error-format'] = ctx.errorFormat;
  },
});

describe('consumer groups (real gateway)', () => {
  let upstream: http.Server;
  let gw: RunningGateway;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => req.resume().on('end', () => res.end('ok')));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    gw = await startGateway(
      `_format_version: "3.0"
consumer_groups:
  - name: silver
    plugins:
      - name: group-tag
        config: {label: group-silver}
  - name: gold
    consumers:
      - username: bob
    plugins:
      - name: group-tag
        config: {label: group-gold}
consumers:
  - username: alice
    groups: [{name: silver}]
    keyauth_credentials: [{key: alice-key}]
  - username: bob
    groups: [{name: silver}]
    keyauth_credentials: [{key: bob-key}]
  - username: carol
    groups: [{name: gold}]
    keyauth_credentials: [{key: carol-key}]
    plugins:
      - name: group-tag
        config: {label: consumer-carol}
  - username: dave
    keyauth_credentials: [{key: dave-key}]
services:
  - name: echo
    url: http://127.0.0.1:${port}
    routes:
      - name: r
        paths: [/r]
        plugins:
          - name: group-tag
            config: {label: route}
plugins:
  - name: key-auth
    config: {key_names: [apikey]}
`,
      { plugins: [groupTag] },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await new Promise<void>((resolve) => upstream?.close(() => resolve()));
  });

  const get = async (key: string) => {
    const res = await fetch(`${gw.url}/r`, { headers: { apikey: key } });
    await res.text();
    return { tag: res.headers.get('x-tag'), groups: res.headers.get('x-groups'), credential: res.headers.get('x-credential'), format: res.headers.get('x-error-format') };
  };

  it("a group's instance wins over the route's", async () => {
    expect(await get('alice-key')).toEqual({ tag: 'group-silver', groups: 'silver', credential: 'yes', format: 'kong' });
  });
  it('of two groups, the first by name wins (gold before silver)', async () => {
    expect(await get('bob-key')).toEqual({ tag: 'group-gold', groups: 'gold,silver', credential: 'yes', format: 'kong' });
  });
  it("the consumer's own instance wins over its group's", async () => {
    expect((await get('carol-key')).tag).toBe('consumer-carol');
  });
  it('a consumer in no group gets the route instance', async () => {
    expect(await get('dave-key')).toEqual({ tag: 'route', groups: '', credential: 'yes', format: 'kong' });
  });
});
