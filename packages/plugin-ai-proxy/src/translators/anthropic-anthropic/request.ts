/**
 * Anthropic is the client's own format: the body passes through unchanged except `model` (after
 * aliasing), model.options overrides (chat only: count_tokens takes no sampling fields) and a forced
 * `stream`. Auth is the backend's (Kong's key auth, auth/api-key.ts).
 */
import type { PlanInput, Planned } from '../translator.js';
import type { ParsedBody } from '../../formats/anthropic/body.js';
import { applyOptions } from '../../formats/anthropic/options.js';
import { planAnthropicCall, type AnthropicPlan } from '../../backends/anthropic/plan.js';
import { writeMembersPieces } from '../../text/write-members.js';
import { latin1Of } from '../../text/byte-text.js';

export function planMessages(input: PlanInput<ParsedBody>): Planned<AnthropicPlan> {
  const { config, kind } = input;
  const options = config.model.options;
  // Spliced as the latin1 view (text/byte-text.ts): untouched members keep their bytes.
  let body: Buffer[] | undefined;
  const forceStream = kind === 'chat' && input.stream && !input.body.stream;
  const overrides = kind === 'chat' && options !== undefined &&
    (options.max_tokens !== undefined || options.temperature !== undefined || options.top_p !== undefined || options.top_k !== undefined);
  if (input.model !== input.body.model || forceStream || overrides) {
    const members = new Map(input.body.members);
    members.set('model', latin1Of(JSON.stringify(input.model)));
    if (kind === 'chat') applyOptions(members, options);
    if (forceStream) members.set('stream', 'true');
    body = writeMembersPieces(members, input.body);
  }
  const plan = planAnthropicCall({
    config,
    operation: kind === 'chat' ? 'messages' : 'count_tokens',
    body,
    query: input.request.query,
    clientHeaders: input.request.headers,
  });
  return { plan, sent: body ?? input.body.bytes };
}
