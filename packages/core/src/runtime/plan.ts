/**
 * The plugin plan of one config load: plugin instances (init once per plugin entity) and, per
 * (route, service[, consumer]), the list of plugins that run, one config per plugin name (Kong's
 * precedence), sorted by priority desc then name desc. Lists without a consumer are computed at load;
 * consumer lists lazily, once per (route, service, consumer).
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

/**
 * Specificity of an entity's scope for a request, higher wins (Kong `lookup_cfg` order), or -1 when it
 * does not apply: 8 route+service+consumer … 1 global.
 */
export function specificity(e: PluginEntity, routeId: string, serviceId: string | null, consumerId: string | null): number {
  const r = e.route?.id;
  const s = e.service?.id;
  const c = e.consumer?.id;
  if (r !== undefined && r !== routeId) return -1;
  if (s !== undefined && s !== serviceId) return -1;
  if (c !== undefined && c !== consumerId) return -1;
  const hasR = r !== undefined;
  const hasS = s !== undefined;
  const hasC = c !== undefined;
  if (hasR && hasS && hasC) return 8;
  if (hasR && hasC) return 7;
  if (hasS && hasC) return 6;
  if (hasR && hasS) return 5;
  if (hasC) return 4;
  if (hasR) return 3;
  if (hasS) return 2;
  return 1;
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
      const state = plugin.init ? await plugin.init(entity.config, { logger: opts.logger, configDir, pluginId: entity.id, nodeId: opts.nodeId ?? NODE_ID }) : undefined;
      instances.push({ name: entity.name, plugin, entity, config: entity.config, state });
    }
  } catch (err) {
    await closeAll(instances, opts.logger);
    throw err;
  }

  const resolve = (routeId: string, serviceId: string | null, consumerId: string | null): PlannedPlugin[] => {
    const best = new Map<string, { p: PlannedPlugin; rank: number }>();
    for (const p of instances) {
      const rank = specificity(p.entity, routeId, serviceId, consumerId);
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
  const hasConsumerScoped = instances.some((p) => p.entity.consumer !== null);

  let closed: Promise<void> | undefined;
  return {
    forRequest(routeId, serviceId, consumerId) {
      if (consumerId === null || !hasConsumerScoped) {
        const known = byRoute.get(routeId);
        if (known !== undefined && known.serviceId === serviceId) return known.list;
      }
      const k = key(routeId, serviceId);
      if (consumerId === null || !hasConsumerScoped) {
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
