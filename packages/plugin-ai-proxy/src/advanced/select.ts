/**
 * Which targets a request may use and in what order, and planning the call to the next one: the same
 * planCall ai-proxy makes, with the target's own model, credentials and region, from the client's bytes
 * (read once). A target whose plan fails (a model it does not serve, credentials it can't get) is passed
 * over for the next; when none can be planned, the first target's error is the client's.
 */
import { GatewayError, type RequestContext } from '@gw/plugin-api';
import { planCall } from '../phases/access.js';
import { takesRequests } from './breaker.js';
import { orderTargets } from './balancer/order.js';
import type { AdvancedLocal, AdvancedState } from './state.js';
import { tally } from './state.js';

/** Targets a client's model may use: those whose model_alias it names, else those without an alias (else all). */
export function eligible(state: AdvancedState, clientModel: string | undefined): { candidates: number[]; pinned: boolean } {
  const all = state.targets.map((t) => t.index);
  if (!state.aliased) return { candidates: all, pinned: false };
  const named = state.targets.filter((t) => clientModel !== undefined && t.alias === clientModel).map((t) => t.index);
  if (named.length > 0) return { candidates: named, pinned: true };
  const plain = state.targets.filter((t) => t.alias === undefined).map((t) => t.index);
  return { candidates: plain.length > 0 ? plain : all, pinned: false };
}

/** The key consistent-hashing hashes: the configured header, else the consumer, else the client address. */
function hashKey(ctx: RequestContext, header: string): string {
  const value = ctx.request.headers[header.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  if (first !== undefined && first !== '') return first;
  return ctx.consumer?.id ?? ctx.request.clientIp;
}

/** The balancer's order over the targets whose breaker lets them take requests; GW_ERR_AI_TARGETS_UNAVAILABLE when none does. */
export function chooseOrder(ctx: RequestContext, state: AdvancedState, candidates: readonly number[], now: number): number[] {
  const open = candidates.filter((i) => takesRequests(state.targets[i]!.breaker, now));
  if (open.length === 0) throw unavailable(state, candidates, now);
  const balancer = state.config.balancer;
  return orderTargets({
    algorithm: balancer.algorithm,
    stats: state.stats,
    candidates: open,
    ring: state.ring,
    hashKey: state.ring === undefined ? undefined : hashKey(ctx, balancer.hash_on_header),
  });
}

/**
 * 429 when the targets sit out for throttling, else overload (Anthropic's 529 overloaded_error; 503 for
 * clients whose APIs have no 529), with `retry-after` at the first breaker's end.
 */
function unavailable(state: AdvancedState, candidates: readonly number[], now: number): GatewayError {
  tally.unavailable++;
  const breakers = candidates.map((i) => state.targets[i]!.breaker);
  const wait = Math.max(1, Math.ceil((Math.min(...breakers.map((b) => b.openUntil)) - now) / 1000));
  const throttled = breakers.every((b) => b.lastFailure === 'rate_limited');
  // The client format's status for an overloaded backend: Anthropic's 529, 503 for the others.
  const status = throttled ? 429 : state.targets[0]!.ai.translator!.format.errorStatus({ status: 503, kind: 'overloaded', message: '' });
  const why = throttled ? 'throttled' : 'failing';
  return new GatewayError('GW_ERR_AI_TARGETS_UNAVAILABLE', {
    status,
    params: { count: candidates.length, why, seconds: wait },
    headers: { 'retry-after': String(wait) },
  });
}

/**
 * Plans the call to the next target in `local.order` that takes requests; sets local.plan, exchange and
 * target. Returns undefined when one was planned, else the first planning error (null: no target left).
 */
export async function planNext(ctx: RequestContext, state: AdvancedState, local: AdvancedLocal, now: number): Promise<unknown> {
  const order = local.order!;
  let first: unknown = null;
  while (local.next! < order.length) {
    const index = order[local.next!++]!;
    const target = state.targets[index]!;
    // The first was chosen just now; later ones may have opened their breaker while this request ran.
    if (local.target !== undefined && !takesRequests(target.breaker, now)) continue;
    try {
      const call = await planCall(ctx, target.config, target.ai, local.kind!, local.bytes!, local.pinned);
      local.plan = call.plan;
      local.exchange = call.exchange;
      local.target = index;
      return undefined;
    } catch (err) {
      if (first === null) first = err;
      // No upstream call was made: the log says why the target was passed over (a code, never request data).
      (local.skipped ??= []).push({ target: index, error: GatewayError.is(err) ? err.code : 'GW_ERR_PLUGIN_FAILED' });
    }
  }
  return first;
}
