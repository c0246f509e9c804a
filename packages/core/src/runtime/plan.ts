/**
 * The plugin plan of one config load: plugin instances (init once per plugin entity) and, per
 * (route, service[, consumer]), the list of plugins that run, one config per plugin name (Kong's
 * precedence, consumer groups included), sorted by priority desc then name desc. Lists without a consumer
 * are computed at load; consumer lists once per (route, service, consumer), on its first request, and
 * looked up after that.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '@gw/plugin-api';
import type { GatewayConfig, PluginEntity } from '../config/model.js';
import { runsOnHttp } from '../config/plugin-protocols.js';
import type { AnyPlugin, PluginRegistry } from './registry.js';

/** This process's node id when the caller names none (a plan made outside a gateway: tests, gw sync). */
const NODE_ID = randomUUID();

export interface PlannedPlugin {
  readonly name: string;
  readonly plugin: AnyPlugin;
  readonly entity: PluginEntity;
  readonly config: Record<string, unknown>;
  readonly state: unknown;
}

export interface PluginPlan {
  forRequest(routeId: string, serviceId: string | null, consumerId: string | null): readonly PlannedPlugin[];
  close(): Promise<void>;
  reopen(): Promise<void>;
}

/** Kong's execution order: priority descending, then name descending. */
export function comparePlanned(a: PlannedPlugin, b: PlannedPlugin): number {
  if (a.plugin.priority !== b.plugin.priority) return b.plugin.priority - a.plugin.priority;
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

/** Ranks of Kong's plugin precedence (Kong Enterprise's, with consumer groups), most specific first. */
const RANK = {
  routeServiceConsumer: 12,
  routeServiceGroup: 11,
  routeConsumer: 10,
  serviceConsumer: 9,
  routeGroup: 8,
  serviceGroup: 7,
  routeService: 6,
  consumer: 5,
  group: 4,
  route: 3,
  service: 2,
  global: 1,
} as const;

/**
 * Specificity of an entity's scope for a request, higher wins, or -1 when it does not apply. A scope
 * without a consumer group is Kong's `lookup_cfg` order; with one, Kong Enterprise ranks consumer+route
 * and consumer+service between route+service+group and route+group. `groups`: the consumer's group
 * ids by group name; among instances of one rank on different groups, the first group by name wins (Kong:
 * "determined by the Consumer Group name, in alphabetical order"), hence the fraction.
 */
export function specificity(e: PluginEntity, routeId: string, serviceId: string | null, consumerId: string | null, groups: readonly string[]): number {
  const r = e.route?.id;
  const s = e.service?.id;
  const c = e.consumer?.id;
  const g = e.consumer_group?.id;
  if (r !== undefined && r !== routeId) return -1;
  if (s !== undefined && s !== serviceId) return -1;
  if (c !== undefined && c !== consumerId) return -1;
  const hasR = r !== undefined;
  const hasS = s !== undefined;
  if (g !== undefined) {
    const at = groups.indexOf(g);
    if (at < 0) return -1;
    const rank = hasR && hasS ? RANK.routeServiceGroup : hasR ? RANK.routeGroup : hasS ? RANK.serviceGroup : RANK.group;
    return rank + 0.5 / (at + 1);
  }
  if (c !== undefined) return hasR && hasS ? RANK.routeServiceConsumer : hasR ? RANK.routeConsumer : hasS ? RANK.serviceConsumer : RANK.consumer;
  if (hasR && hasS) return RANK.routeService;
  if (hasR) return RANK.route;
  if (hasS) return RANK.service;
  return RANK.global;
}

export async function createPluginPlan(config: GatewayConfig, registry: PluginRegistry, opts: { logger: Logger; nodeId?: string }): Promise<PluginPlan> {
  const instances: PlannedPlugin[] = [];
  try {
    for (const entity of config.plugins) {
      // Kong's should_process_plugin: a plugin listing no HTTP-subsystem protocol never runs here.
      if (!entity.enabled || !runsOnHttp(entity.protocols)) continue;
      const plugin = registry.get(entity.name);
      if (plugin === undefined) throw new Error(`plugin '${entity.name}' is not installed (${entity.location.file}:${entity.location.line})`);
      // The file's name is as the user gave it (relative to the working directory), as the loader read it.
      const configDir = entity.location.file ? path.dirname(path.resolve(entity.location.file)) : config.baseDir;
      const scope = {
        service: entity.service?.id ?? null,
        route: entity.route?.id ?? null,
        consumer: entity.consumer?.id ?? null,
        consumerGroup: entity.consumer_group?.id ?? null,
      };
      const state = plugin.init ? await plugin.init(entity.config, { logger: opts.logger, configDir, pluginId: entity.id, nodeId: opts.nodeId ?? NODE_ID, scope }) : undefined;
      instances.push({ name: entity.name, plugin, entity, config: entity.config, state });
    }
  } catch (err) {
    await closeAll(instances, opts.logger);
    throw err;
  }

  // Worked out at load: each consumer's groups by name (normalize sorted them), as ids, and the instances
  // that only some consumers get, by consumer and by group. A consumer with none of those shares the
  // route's list; another's list is resolved over the unscoped instances plus its own, once.
  const groupsOf = new Map<string, readonly string[]>();
  for (const c of config.consumers) if (c.consumer_groups !== undefined) groupsOf.set(c.id, c.consumer_groups.map((g) => g.id));
  const NONE: readonly string[] = [];
  const unscoped: PlannedPlugin[] = [];
  const byConsumer = new Map<string, PlannedPlugin[]>();
  const byGroup = new Map<string, PlannedPlugin[]>();
  const add = (map: Map<string, PlannedPlugin[]>, id: string, p: PlannedPlugin) => map.set(id, [...(map.get(id) ?? []), p]);
  for (const p of instances) {
    if (p.entity.consumer !== null) add(byConsumer, p.entity.consumer.id, p);
    else if (p.entity.consumer_group !== null) add(byGroup, p.entity.consumer_group.id, p);
    else unscoped.push(p);
  }
  const ownInstances = (consumerId: string): PlannedPlugin[] => [
    ...(byConsumer.get(consumerId) ?? []),
    ...(groupsOf.get(consumerId) ?? NONE).flatMap((g) => byGroup.get(g) ?? []),
  ];
  const hasOwn = new Set<string>();
  for (const c of config.consumers) if (ownInstances(c.id).length > 0) hasOwn.add(c.id);

  const resolve = (routeId: string, serviceId: string | null, consumerId: string | null): PlannedPlugin[] => {
    const best = new Map<string, { p: PlannedPlugin; rank: number }>();
    const groups = consumerId === null ? NONE : groupsOf.get(consumerId) ?? NONE;
    const candidates = consumerId === null ? unscoped : [...unscoped, ...ownInstances(consumerId)];
    for (const p of candidates) {
      const rank = specificity(p.entity, routeId, serviceId, consumerId, groups);
      if (rank < 0) continue;
      const current = best.get(p.name);
      if (current === undefined || rank > current.rank) best.set(p.name, { p, rank });
    }
    return [...best.values()].map((b) => b.p).sort(comparePlanned);
  };

  const key = (routeId: string, serviceId: string | null) => `${routeId}\u0000${serviceId ?? ''}`;
  const base = new Map<string, readonly PlannedPlugin[]>();
  for (const route of config.routes) {
    const serviceId = route.service?.id ?? null;
    base.set(key(route.id, serviceId), Object.freeze(resolve(route.id, serviceId, null)));
  }
  // The per-request lookup: by route id alone, no key string to build (a route has one service).
  const byRoute = new Map<string, { serviceId: string | null; list: readonly PlannedPlugin[] }>();
  for (const route of config.routes) {
    const serviceId = route.service?.id ?? null;
    byRoute.set(route.id, { serviceId, list: base.get(key(route.id, serviceId))! });
  }
  const withConsumer = new Map<string, readonly PlannedPlugin[]>();

  let closed: Promise<void> | undefined;
  return {
    forRequest(routeId, serviceId, consumerId) {
      const shared = consumerId === null || !hasOwn.has(consumerId);
      if (shared) {
        const known = byRoute.get(routeId);
        if (known !== undefined && known.serviceId === serviceId) return known.list;
      }
      const k = key(routeId, serviceId);
      if (shared) {
        let list = base.get(k);
        if (list === undefined) {
          list = Object.freeze(resolve(routeId, serviceId, null));
          base.set(k, list);
        }
        return list;
      }
      const ck = `${k}\u0000${consumerId}`;
      let list = withConsumer.get(ck);
      if (list === undefined) {
        list = Object.freeze(resolve(routeId, serviceId, consumerId));
        withConsumer.set(ck, list);
      }
      return list;
    },
    close() {
      closed ??= closeAll(instances, opts.logger);
      return closed;
    },
    async reopen() {
      for (const p of instances) {
        if (!p.plugin.reopen) continue;
        try {
          await p.plugin.reopen(p.state);
        } catch (err) {
          opts.logger.error(`plugin ${p.name} (${p.entity.id}) failed to reopen: ${describe(err)}`);
        }
      }
    },
  };
}

async function closeAll(instances: readonly PlannedPlugin[], logger: Logger): Promise<void> {
  for (const p of instances) {
    if (!p.plugin.close) continue;
    try {
      await p.plugin.close(p.state);
    } catch (err) {
      logger.error(`plugin ${p.name} (${p.entity.id}) failed to close: ${describe(err)}`);
    }
  }
}

/** An error for the operator's log: name and message only (no stack, no cause, no config). */
export function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
