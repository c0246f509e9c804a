import { describe, expect, it } from 'vitest';
import { definePlugin } from '@gw/plugin-api';
import { findOpenRoutes, isLoopback } from '../../src/runtime/open-routes.js';
import { checkPluginDefinition } from '../../src/runtime/plugin-loader.js';
import { consumer, gatewayConfig, plugin, route, service } from '../support/config.js';

const spender = definePlugin<{ own?: boolean }>({ name: 'spender', version: '1.0.0', priority: 700, configSchema: { type: 'object' }, usesGatewayCredentials: (c) => c.own !== true });
const guard = definePlugin<{ open?: boolean }>({ name: 'guard', version: '1.0.0', priority: 1000, configSchema: { type: 'object' }, authenticates: (c) => c.open !== true });
const registry = new Map([spender, guard].map((p) => [p.name, p]));

describe('findOpenRoutes', () => {
  const svc = service({ port: 9 });
  const other = service({ port: 9 });
  const a = route(svc, { name: 'a', paths: ['/a'] });
  const b = route(svc, { name: 'b', paths: ['/b'] });
  const c = route(other, { name: 'c', paths: ['/c'] });
  const names = (plugins: ReturnType<typeof plugin>[], consumers = [consumer('alice')]) =>
    findOpenRoutes(gatewayConfig({ services: [svc, other], routes: [a, b, c], plugins, consumers }), registry).map((r) => r.route);

  it('follows Kong scope precedence: a global or service guard covers routes, the most specific config decides', () => {
    expect(names([plugin('spender')])).toEqual(['a', 'b', 'c']);
    expect(names([plugin('spender'), plugin('guard')])).toEqual([]);
    expect(names([plugin('spender'), plugin('guard', {}, { service: svc })])).toEqual(['c']);
    // The route's own config lets everyone through, overriding the service's guard.
    expect(names([plugin('spender'), plugin('guard', {}, { service: svc }), plugin('guard', { open: true }, { route: a })])).toEqual(['a', 'c']);
    // A spender configured to use the client's own credentials spends nothing.
    expect(names([plugin('spender', { own: true }, { route: b }), plugin('spender', {}, { route: c })])).toEqual(['c']);
  });

  it("ignores disabled guards and consumer-scoped plugins (they apply only after authentication)", () => {
    const alice = consumer('alice');
    const disabled = { ...plugin('guard'), enabled: false };
    expect(names([plugin('spender', {}, { route: a }), disabled])).toEqual(['a']);
    expect(names([plugin('spender', {}, { route: a }), plugin('guard', {}, { consumer: alice })], [alice])).toEqual(['a']);
    expect(names([plugin('spender', {}, { consumer: alice })], [alice])).toEqual([]);
  });

  it('says which authenticating plugin lets requests through', () => {
    const [open] = findOpenRoutes(gatewayConfig({ services: [svc], routes: [a], plugins: [plugin('spender'), plugin('guard', { open: true })] }), registry);
    expect(open).toMatchObject({ route: 'a', plugins: ['spender'], letThrough: ['guard'] });
  });
});

describe('isLoopback', () => {
  it.each([['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['[::1]', true], ['localhost', true], ['0.0.0.0', false], ['::', false], ['10.0.0.5', false]])('%s → %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});

describe('plugin declarations', () => {
  it('accept a boolean or a function, nothing else', () => {
    expect(checkPluginDefinition({ ...guard, authenticates: true })).toEqual([]);
    expect(checkPluginDefinition({ ...spender, usesGatewayCredentials: 'yes' })).toEqual(['usesGatewayCredentials must be a boolean or a function of the config']);
  });
});
