/** Publishes the `ai.proxy` serialize value from ai-proxy's log handler. */
import type { LogRecord, RequestContext } from '@gw/plugin-api';
import type { AiExchange } from '../exchange.js';
import { observationsOf } from '../phases/observations.js';
import { buildAiProxyLog } from './ai-proxy-log.js';
import type { TriedTarget } from './ai-proxy-log.js';

export { buildAiProxyLog } from './ai-proxy-log.js';
export type { TriedTarget } from './ai-proxy-log.js';

/**
 * Sets `ai.proxy` when `logging.log_statistics` is on (payloads need `log_payloads` too).
 * `record` (ip/port/upstream_uri of the last try) and `target` (host, scheme) fill `tried_targets`.
 */
export function publishAiStats(input: { ctx: RequestContext; exchange: AiExchange; record?: LogRecord; target?: TriedTarget }): void {
  const { ctx, exchange } = input;
  if (!exchange.logStatistics) return;
  ctx.setSerializeValue('ai.proxy', buildAiProxyLog({ exchange, observations: observationsOf(exchange), record: input.record, target: input.target }));
}
