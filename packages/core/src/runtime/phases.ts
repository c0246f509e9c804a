/**
 * Runs the plugin phases of one request in plan order. Errors a plugin throws become GatewayErrors:
 * its own GatewayError as is, anything else GW_ERR_PLUGIN_FAILED (logged with the plugin's name, no stack).
 */
import {
  GatewayError,
  type ErrorFormat,
  type LogRecord,
  type Logger,
  type RequestContext,
  type ResponseHead,
  type TryDecision,
  type UpstreamRequest,
  type UpstreamTry,
} from '@gw/plugin-api';
import { buildLogRecord, type LogInput } from '../log/record.js';
import type { Exchange } from './exchange.js';
import { contextFor } from './plugin-context.js';
import { comparePlanned, describe, type PlannedPlugin, type PluginPlan } from './plan.js';

/**
 * One argument object per plugin and request, reused by every phase call: the fields of all phases are
 * declared up front (one shape for every call site) and the current phase's is set before each call.
 * A plugin reads its input during the call; it does not keep the object (a later phase changes it).
 */
export interface PhaseArgs {
  ctx: RequestContext;
  config: unknown;
  state: unknown;
  local: Record<string, unknown>;
  upstream: UpstreamRequest | undefined;
  attempt: UpstreamTry | undefined;
  response: ResponseHead | undefined;
  record: LogRecord | undefined;
}

function input(ex: Exchange, p: PlannedPlugin): PhaseArgs {
  const locals = (ex.locals ??= new Map());
  let args = locals.get(p.name);
  if (args === undefined) {
    args = { ctx: contextFor(ex), config: p.config, state: p.state, local: {}, upstream: undefined, attempt: undefined, response: undefined, record: undefined };
    locals.set(p.name, args);
  } else {
    // A consumer-scoped list (after `authenticate`) may bring this plugin with another config.
    args.config = p.config;
    args.state = p.state;
  }
  return args;
}

function withAttempt(args: PhaseArgs, attempt: UpstreamTry): PhaseArgs & { attempt: UpstreamTry } {
  args.attempt = attempt;
  return args as PhaseArgs & { attempt: UpstreamTry };
}

function withResponse(args: PhaseArgs, response: ResponseHead): PhaseArgs & { response: ResponseHead } {
  args.response = response;
  return args as PhaseArgs & { response: ResponseHead };
}

/** Which phases a plugin list has handlers for; computed once per list (lists are per route, not per request). */
export interface PhaseSet {
  readonly access: boolean;
  readonly upstream: boolean;
  /** Plugins with an `afterTry` hook: empty on almost every route, and then the upstream call never asks. */
  readonly afterTry: readonly PlannedPlugin[];
  readonly responseHeaders: boolean;
  readonly responseBody: boolean;
  readonly log: readonly PlannedPlugin[];
  /** gw's error format from the start of the request: the first plugin that names one (ai-proxy: its llm_format). */
  readonly errorFormat: ErrorFormat;
}

const NO_PHASES: PhaseSet = { access: false, upstream: false, afterTry: [], responseHeaders: false, responseBody: false, log: [], errorFormat: 'kong' };
const phaseSets = new WeakMap<readonly PlannedPlugin[], PhaseSet>();

export function phasesOf(list: readonly PlannedPlugin[]): PhaseSet {
  if (list.length === 0) return NO_PHASES;
  let set = phaseSets.get(list);
  if (set === undefined) {
    set = {
      access: list.some((p) => p.plugin.access !== undefined),
      upstream: list.some((p) => p.plugin.upstream !== undefined),
      afterTry: list.filter((p) => p.plugin.afterTry !== undefined),
      responseHeaders: list.some((p) => p.plugin.responseHeaders !== undefined),
      responseBody: list.some((p) => p.plugin.responseBody !== undefined),
      log: list.filter((p) => p.plugin.log !== undefined),
      errorFormat: firstErrorFormat(list),
    };
    phaseSets.set(list, set);
  }
  return set;
}

function firstErrorFormat(list: readonly PlannedPlugin[]): ErrorFormat {
  for (const p of list) {
    const format = p.plugin.errorFormat?.(p.config);
    if (format !== undefined) return format;
  }
  return 'kong';
}

function asGatewayError(ex: Exchange, err: unknown, p: PlannedPlugin, phase: string, logger: Logger): GatewayError {
  if (GatewayError.is(err)) return err;
  logger.error(`request ${ex.id}: plugin ${p.name} failed in ${phase}: ${describe(err)}`);
  return new GatewayError('GW_ERR_PLUGIN_FAILED');
}

function isResponse(value: unknown): value is Response {
  return typeof value === 'object' && value !== null && typeof (value as Response).status === 'number' && 'headers' in value && 'body' in value;
}

/**
 * Access phase. Returns the Response a plugin answered with, if any. After `ctx.authenticate`, the plan is
 * re-resolved for the consumer and execution continues with the plugins ordered after the current one.
 */
export async function runAccess(ex: Exchange, plan: PluginPlan, logger: Logger): Promise<Response | undefined> {
  let i = 0;
  while (i < ex.plugins.length) {
    const p = ex.plugins[i];
    if (p.plugin.access) {
      let result: unknown;
      try {
        result = await p.plugin.access(input(ex, p));
      } catch (err) {
        throw asGatewayError(ex, err, p, 'access', logger);
      }
      if (isResponse(result)) return result;
    }
    if (ex.consumerChanged) {
      ex.consumerChanged = false;
      const list = plan.forRequest(ex.route!.id, ex.service?.id ?? null, ex.consumer?.id ?? null);
      ex.plugins = list;
      // The consumer's list may declare another format (a consumer-scoped ai-proxy); a plugin's explicit choice stands.
      if (!ex.errorFormatChosen) ex.errorFormat = phasesOf(list).errorFormat;
      const next = list.findIndex((q) => comparePlanned(q, p) > 0);
      i = next === -1 ? list.length : next;
      continue;
    }
    i++;
  }
  return undefined;
}

export async function runUpstream(ex: Exchange, upstream: UpstreamRequest, logger: Logger): Promise<void> {
  for (const p of ex.plugins) {
    if (!p.plugin.upstream) continue;
    try {
      const args = input(ex, p);
      args.upstream = upstream;
      await p.plugin.upstream(args as PhaseArgs & { upstream: UpstreamRequest });
    } catch (err) {
      throw asGatewayError(ex, err, p, 'upstream', logger);
    }
  }
}

/**
 * After an upstream try: every plugin with `afterTry` sees it, in order; `stop` from any wins over `retry`.
 * Synchronous unless a plugin returns a promise. A throw is the plugin's failure (GatewayError as is).
 */
export function runAfterTry(ex: Exchange, attempt: UpstreamTry, logger: Logger): TryDecision | Promise<TryDecision> {
  const plugins = phasesOf(ex.plugins).afterTry;
  let decision: TryDecision;
  for (let i = 0; i < plugins.length; i++) {
    const p = plugins[i];
    let result: TryDecision | void | Promise<TryDecision | void>;
    try {
      result = p.plugin.afterTry!(withAttempt(input(ex, p), attempt));
    } catch (err) {
      throw asGatewayError(ex, err, p, 'afterTry', logger);
    }
    if (result instanceof Promise) return finishAfterTry(ex, attempt, logger, plugins, i, decision, result);
    decision = combine(decision, result);
  }
  return decision;
}

async function finishAfterTry(
  ex: Exchange,
  attempt: UpstreamTry,
  logger: Logger,
  plugins: readonly PlannedPlugin[],
  at: number,
  decided: TryDecision,
  pending: Promise<TryDecision | void>,
): Promise<TryDecision> {
  let decision = decided;
  for (let i = at; i < plugins.length; i++) {
    const p = plugins[i];
    try {
      decision = combine(decision, await (i === at ? pending : p.plugin.afterTry!(withAttempt(input(ex, p), attempt))));
    } catch (err) {
      throw asGatewayError(ex, err, p, 'afterTry', logger);
    }
  }
  return decision;
}

function combine(so: TryDecision, next: TryDecision | void): TryDecision {
  if (so === 'stop' || next === 'stop') return 'stop';
  return next === 'retry' ? 'retry' : so;
}

export function runResponseHeaders(ex: Exchange, response: ResponseHead, logger: Logger): void {
  for (const p of ex.plugins) {
    if (!p.plugin.responseHeaders) continue;
    try {
      p.plugin.responseHeaders(withResponse(input(ex, p), response));
    } catch (err) {
      throw asGatewayError(ex, err, p, 'responseHeaders', logger);
    }
  }
}

/** Each plugin's TransformStream or Transformer (core drives a list of only Transformers without streams), in execution order. */
export function collectBodyTransforms(
  ex: Exchange,
  response: ResponseHead,
  logger: Logger,
): Array<TransformStream<Uint8Array, Uint8Array> | Transformer<Uint8Array, Uint8Array>> {
  const transforms: Array<TransformStream<Uint8Array, Uint8Array> | Transformer<Uint8Array, Uint8Array>> = [];
  for (const p of ex.plugins) {
    if (!p.plugin.responseBody) continue;
    try {
      const t = p.plugin.responseBody(withResponse(input(ex, p), response));
      if (t) transforms.push(t);
    } catch (err) {
      throw asGatewayError(ex, err, p, 'responseBody', logger);
    }
  }
  return transforms;
}

/** Log phase: one record, handed to every log plugin in order; serialize values set meanwhile go into it. */
export async function runLog(ex: Exchange, record: LogInput, logger: Logger): Promise<void> {
  const withLog = phasesOf(ex.plugins).log;
  if (withLog.length === 0) return;
  ex.liveRecord = buildLogRecord(record);
  for (const p of withLog) {
    try {
      const args = input(ex, p);
      args.record = ex.liveRecord;
      await p.plugin.log!(args as PhaseArgs & { record: LogRecord });
    } catch (err) {
      logger.error(`request ${ex.id}: plugin ${p.name} failed in log: ${describe(err)}`);
    }
  }
}
