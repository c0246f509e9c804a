/** A Bedrock answer's head, made fit for the client: its token counts read, its internal headers dropped. */
import type { ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { createUsageTracker } from '../../usage.js';
import { observe } from '../../phases/observations.js';
import { tokenCountHeaders } from './metrics.js';

const ok = (status: number) => status >= 200 && status < 300;

/**
 * InvokeModel's head carries the counts (`x-amzn-bedrock-*-token-count`): read for a whole answer, usage
 * is known even if the body is then cut. Then `x-amzn-bedrock-*` are dropped, and the length unless the
 * answer is a whole one that may pass through unchanged (gw drops it from a body a transform rewrites;
 * a transform that passes the bytes on sets it again).
 */
export function bedrockResponseHead(exchange: AiExchange, response: ResponseHead): void {
  if (exchange.kind === 'chat' && exchange.mode === 'oneshot' && ok(response.status)) {
    const counts = tokenCountHeaders(response.headers);
    if (counts !== undefined) {
      const usage = createUsageTracker();
      usage.fallback(counts);
      exchange.usage = usage.current();
      const seen = observe(exchange);
      seen.promptReported = counts.input !== undefined;
      seen.finalOutputReported = counts.output !== undefined;
    }
  }
  for (const name of Object.keys(response.headers)) {
    if (name.startsWith('x-amzn-bedrock-')) delete response.headers[name];
  }
  if (exchange.mode !== 'oneshot' || exchange.kind !== 'chat' || !ok(response.status)) delete response.headers['content-length'];
}
