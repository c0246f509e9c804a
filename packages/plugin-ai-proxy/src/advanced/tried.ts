/**
 * ai-proxy-advanced's `ai.proxy` log value: ai-proxy's, written for the target that answered, with
 * `tried_targets` listing every try in Kong's shape (provider, model, host, port, upstream_scheme,
 * upstream_uri, route_type, ip) plus what became of it (gw: `outcome`, `status` or `failure`, the
 * `criterion` that failed it over, the target's index and description), and `meta` naming the target.
 */
import type { JsonValue, LogRecord } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import { observationsOf } from '../phases/observations.js';
import { buildAiProxyLog } from '../stats/ai-proxy-log.js';
import type { AdvancedState, TryEntry } from './state.js';

export function advancedLog(state: AdvancedState, exchange: AiExchange, tries: readonly TryEntry[], record: LogRecord, target: number, skipped?: ReadonlyArray<{ target: number; error: string }>): Record<string, JsonValue> {
  const last = tries.at(-1);
  const value = buildAiProxyLog({
    exchange,
    observations: observationsOf(exchange),
    record,
    target: last && { host: last.host, port: last.port, upstream_scheme: last.scheme, upstream_uri: last.uri },
  });
  const description = state.targets[target]?.description;
  value.meta = { ...(value.meta as Record<string, JsonValue>), target_index: target, ...(description === undefined ? {} : { target_description: description }) };
  if (tries.length > 0) value.tried_targets = tries.map((t, i) => triedTarget(state, t, record.tries[i]));
  // gw: targets the request could not be planned for, so never called.
  if (skipped !== undefined && skipped.length > 0) value.skipped_targets = skipped.map((s) => ({ target_index: s.target, error: s.error }));
  return value;
}

function triedTarget(state: AdvancedState, t: TryEntry, tried: LogRecord['tries'][number] | undefined): JsonValue {
  const out: Record<string, JsonValue> = {
    provider: t.provider,
    model: t.model,
    host: t.host,
    port: t.port,
    upstream_scheme: t.scheme,
    upstream_uri: t.uri,
    route_type: t.routeType,
  };
  if (tried?.ip) out.ip = tried.ip;
  out.outcome = t.outcome;
  if (t.status !== undefined) out.status = t.status;
  if (t.failure !== undefined) out.failure = t.failure;
  if (t.criterion !== undefined) out.criterion = t.criterion;
  out.target_index = t.target;
  const description = state.targets[t.target]?.description;
  if (description !== undefined) out.target_description = description;
  return out;
}
