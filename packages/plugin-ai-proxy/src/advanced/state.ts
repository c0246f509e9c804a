/**
 * What an ai-proxy-advanced instance keeps: each target as the ai-proxy instance it amounts to (its pair,
 * credentials, aliases), its circuit breaker and balancer statistics; and what one request keeps (the
 * order of targets it may try, each try). Counters that `status()` reports live in module scope (per
 * plugin, across instances and reloads).
 */
import type { PluginServices } from '@gw/plugin-api';
import type { AiProxyConfig } from '../config/types.js';
import type { AiLocal, AiState } from '../phases/state.js';
import type { RouteKind } from '../exchange.js';
import { aiProxyState } from '../plugin.js';
import { newBreaker, type Breaker, type BreakerRule } from './breaker.js';
import { targetConfig, type AdvancedConfig, type FailoverCriterion } from './config.js';
import { buildRing, type Ring } from './balancer/ring.js';
import { newStats, type TargetStats } from './balancer/stats.js';

export interface TargetRuntime {
  index: number;
  /** The target as an ai-proxy config (targetConfig). */
  config: AiProxyConfig;
  ai: AiState;
  /** `model.model_alias`: a client's `model` equal to it chooses this target. */
  alias: string | undefined;
  description: string | undefined;
  breaker: Breaker;
}

export interface AdvancedState {
  pluginId: string;
  config: AdvancedConfig;
  targets: TargetRuntime[];
  stats: TargetStats[];
  rule: BreakerRule;
  /** Some target has a model_alias: the client's model chooses among them. */
  aliased: boolean;
  ring: Ring | undefined;
}

/** One upstream try of a request, as the log shows it. */
export interface TryEntry {
  target: number;
  provider: string;
  model: string;
  host: string;
  port: number;
  scheme: string;
  uri: string;
  routeType: string;
  /** `answered`: this try's answer (or failure) is the request's; `failed_over`: the next target was tried. */
  outcome: 'answered' | 'failed_over' | 'failed';
  status: number | undefined;
  failure: string | undefined;
  criterion: FailoverCriterion | undefined;
  /** Its in-flight count was given back. */
  settled: boolean;
}

export interface AdvancedLocal extends AiLocal {
  target?: number;
  /** Targets this request may try, in order; `next` is the position of the next one to plan. */
  order?: number[];
  next?: number;
  kind?: RouteKind;
  bytes?: Uint8Array;
  /** The client's model chose the targets (model_alias): each target calls its own model. */
  pinned?: boolean;
  tries?: TryEntry[];
  /** Targets passed over because their plan refused the request (a model they don't serve, no credentials). */
  skipped?: Array<{ target: number; error: string }>;
}

/** What status() reports, per plugin (all instances, across reloads). */
export const tally = {
  failovers: new Map<string, number>(),
  unavailable: 0,
  opened: 0,
  live: new Set<AdvancedState>(),
};

export async function advancedState(config: AdvancedConfig, services: Pick<PluginServices, 'pluginId' | 'logger'>): Promise<AdvancedState> {
  const targets = await Promise.all(config.targets.map(async (target, index): Promise<TargetRuntime> => {
    const ai = targetConfig(config, target);
    return {
      index,
      config: ai,
      ai: await aiProxyState(ai, services),
      alias: target.model.model_alias || undefined,
      description: target.description,
      breaker: newBreaker(),
    };
  }));
  const balancer = config.balancer;
  const state: AdvancedState = {
    pluginId: services.pluginId,
    config,
    targets,
    stats: config.targets.map((t) => newStats(t.weight)),
    rule: { maxFails: balancer.max_fails, failTimeout: balancer.fail_timeout },
    aliased: targets.some((t) => t.alias !== undefined),
    ring: balancer.algorithm === 'consistent-hashing' ? buildRing(config.targets.map((t) => t.weight), balancer.slots) : undefined,
  };
  tally.live.add(state);
  return state;
}
