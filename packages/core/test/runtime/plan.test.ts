import { describe, expect, it } from 'vitest';
import { definePlugin } from '@gw/plugin-api';
import { createPluginPlan } from '../../src/runtime/plan.js';
import { consumer, consumerGroup, gatewayConfig, plugin, route, service } from '../support/config.js';
import { recordingLogger } from '../support/http.js';

const p = (name: string, priority: number, extra: object = {}) =>
  definePlugin({ name, version: '1.0.0', priority, configSchema: {}, ...extra });

describe('plugin plan', () => {
  const svc = service({ port: 1 });
  const other = service({ port: 2 });
  const r1 = route(svc, { paths: ['/a'] });
  const r2 = route(svc, { paths: ['/b'] });
  const r3 = route(other, { paths: ['/c'] });
  const alice = consumer('alice');

  it('picks one config per plugin name, the most specific scope (Kong lookup_cfg order)', async () => {
    const entities = [
      plugin('x', { scope: 'global' }),
      plugin('x', { scope: 'service' }, { service: svc }),
      plugin('x', { scope: 'route' }, { route: r1 }),
      plugin('x', { scope: 'consumer' }, { consumer: alice }),
      plugin('x', { scope: 'route+service' }, { route: r2, service: svc }),
      plugin('x', { scope: 'service+consumer' }, { service: svc, consumer: alice }),
      plugin('x', { scope: 'route+consumer' }, { route: r1, consumer: alice }),
    ];
    const plan = await createPluginPlan(
      gatewayConfig({ services: [svc, other], routes: [r1, r2, r3], consumers: [alice], plugins: entities }),
      new Map([['x', p('x', 10)]]),
      { logger: recordingLogger() },
    );
    const scopeOf = (routeId: string, serviceId: string, consumerId: string | null) =>
      plan.forRequest(routeId, serviceId, consumerId).map((pp) => pp.config.scope);
    expect(scopeOf(r1.id, svc.id, null)).toEqual(['route']);
    expect(scopeOf(r2.id, svc.id, null)).toEqual(['route+service']);
    expect(scopeOf(r3.id, other.id, null)).toEqual(['global']);
    expect(scopeOf(r1.id, svc.id, alice.id)).toEqual(['route+consumer']);
    expect(scopeOf(r2.id, svc.id, alice.id)).toEqual(['service+consumer']);
    expect(scopeOf(r3.id, other.id, alice.id)).toEqual(['consumer']);
    await plan.close();
  });

  it('ranks consumer-group scopes as Kong Enterprise does: consumer scopes over group scopes of the same reach, route+service+group over route+consumer', async () => {
    const gold = consumerGroup('gold');
    const silver = consumerGroup('silver');
    const bob = consumer('bob', [], [silver, gold]);
    const carol = consumer('carol', [], [silver]);
    const dave = consumer('dave');
    const entities = [
      plugin('x', { scope: 'global' }),
      plugin('x', { scope: 'group gold' }, { group: gold }),
      plugin('x', { scope: 'group silver' }, { group: silver }),
      plugin('x', { scope: 'route+group silver' }, { route: r1, group: silver }),
      plugin('x', { scope: 'route+service+group gold' }, { route: r2, service: svc, group: gold }),
      plugin('x', { scope: 'route+consumer bob' }, { route: r2, consumer: bob }),
      plugin('x', { scope: 'service+group silver' }, { service: other, group: silver }),
      plugin('x', { scope: 'consumer carol' }, { consumer: carol }),
      plugin('x', { scope: 'route r3' }, { route: r3 }),
    ];
    const plan = await createPluginPlan(
      gatewayConfig({ services: [svc, other], routes: [r1, r2, r3], consumers: [bob, carol, dave], consumerGroups: [gold, silver], plugins: entities }),
      new Map([['x', p('x', 10)]]),
      { logger: recordingLogger() },
    );
    const scopeOf = (r: { id: string }, s: { id: string }, c: { id: string } | null) => plan.forRequest(r.id, s.id, c?.id ?? null).map((pp) => pp.config.scope);
    // Both of bob's groups have a group-only instance: the first group by name wins.
    expect(scopeOf(r3, other, null)).toEqual(['route r3']);
    expect(scopeOf(r1, svc, bob)).toEqual(['route+group silver']);
    // route+service+group (rank 2) beats route+consumer (rank 3).
    expect(scopeOf(r2, svc, bob)).toEqual(['route+service+group gold']);
    // A group scope beats a route scope; service+group beats group.
    expect(scopeOf(r3, other, bob)).toEqual(['service+group silver']);
    expect(scopeOf(r1, svc, carol)).toEqual(['route+group silver']);
    // consumer (rank 8) beats group (rank 9).
    expect(scopeOf(r2, svc, carol)).toEqual(['consumer carol']);
    // No group, no consumer instance: the route-less default, the very list requests without a consumer get.
    expect(scopeOf(r2, svc, dave)).toEqual(['global']);
    expect(scopeOf(r1, svc, null)).toEqual(['global']);
    expect(plan.forRequest(r2.id, svc.id, dave.id)).toBe(plan.forRequest(r2.id, svc.id, null));
    // A consumer's list is worked out once.
    expect(plan.forRequest(r1.id, svc.id, bob.id)).toBe(plan.forRequest(r1.id, svc.id, bob.id));
    await plan.close();
  });

  it('tells each instance its scope', async () => {
    const gold = consumerGroup('gold');
    const seen: unknown[] = [];
    const def = p('scoped', 1, { init: (_c: unknown, services: { scope: unknown }) => void seen.push(services.scope) });
    const plan = await createPluginPlan(
      gatewayConfig({ services: [svc], routes: [r1], consumerGroups: [gold], plugins: [plugin('scoped', {}, { route: r1, group: gold })] }),
      new Map([['scoped', def]]),
      { logger: recordingLogger() },
    );
    expect(seen).toEqual([{ service: null, route: r1.id, consumer: null, consumerGroup: gold.id }]);
    await plan.close();
  });

  it('orders by priority descending, ties by name descending, and skips disabled entities', async () => {
    const registry = new Map([
      ['low', p('low', 5)],
      ['high', p('high', 1000)],
      ['tie-a', p('tie-a', 100)],
      ['tie-b', p('tie-b', 100)],
      ['off', p('off', 2000)],
    ]);
    const off = { ...plugin('off'), enabled: false };
    const plan = await createPluginPlan(
      gatewayConfig({ services: [svc], routes: [r1], plugins: [plugin('low'), plugin('tie-a'), plugin('high'), plugin('tie-b'), off] }),
      registry,
      { logger: recordingLogger() },
    );
    expect(plan.forRequest(r1.id, svc.id, null).map((pp) => pp.name)).toEqual(['high', 'tie-b', 'tie-a', 'low']);
  });

  it("picks plugins by subsystem as Kong does: a stream-only plugin never runs, one listing grpc does (Kong's should_process_plugin)", async () => {
    let inits = 0;
    const counted = (name: string) => p(name, 10, { init: () => void inits++ });
    const registry = new Map([['stream', counted('stream')], ['grpc', counted('grpc')], ['https', counted('https')]]);
    const plan = await createPluginPlan(
      gatewayConfig({
        services: [svc],
        routes: [r1],
        plugins: [
          { ...plugin('stream'), protocols: ['tcp', 'tls'] },
          { ...plugin('grpc'), protocols: ['grpc', 'grpcs'] },
          { ...plugin('https'), protocols: ['https'] },
        ],
      }),
      registry,
      { logger: recordingLogger() },
    );
    expect(plan.forRequest(r1.id, svc.id, null).map((pp) => pp.name)).toEqual(['https', 'grpc']);
    expect(inits).toBe(2);
    await plan.close();
  });

  it('inits each plugin entity once, and closes and reopens every instance', async () => {
    const events: string[] = [];
    const def = definePlugin<{ n: number }, { n: number }>({
      name: 'life',
      version: '1.0.0',
      priority: 1,
      configSchema: {},
      init: (config, services) => {
        events.push(`init ${config.n} ${services.pluginId.length > 0}`);
        return { n: config.n };
      },
      close: (state) => void events.push(`close ${state.n}`),
      reopen: (state) => void events.push(`reopen ${state.n}`),
    });
    const plan = await createPluginPlan(
      gatewayConfig({ services: [svc], routes: [r1, r2], plugins: [plugin('life', { n: 1 }), plugin('life', { n: 2 }, { route: r2 })] }),
      new Map([['life', def]]),
      { logger: recordingLogger() },
    );
    plan.forRequest(r1.id, svc.id, null);
    plan.forRequest(r1.id, svc.id, null);
    expect(plan.forRequest(r2.id, svc.id, null)[0].state).toEqual({ n: 2 });
    await plan.reopen();
    await plan.close();
    await plan.close();
    expect(events).toEqual(['init 1 true', 'init 2 true', 'reopen 1', 'reopen 2', 'close 1', 'close 2']);
  });

  it('rejects a config naming a plugin that is not installed', async () => {
    await expect(
      createPluginPlan(gatewayConfig({ services: [svc], routes: [r1], plugins: [plugin('missing')] }), new Map(), { logger: recordingLogger() }),
    ).rejects.toThrow(/missing/);
  });
});
