/**
 * An OpenAI error answer for a client that speaks OpenAI too: rendered from the neutral error (status and
 * redacted message), keeping the upstream's own `type`, `param` and `code` (a client may branch on
 * `code: context_length_exceeded`), except where gw changed the error's meaning (a refused gateway key).
 */
import type { RequestContext, ResponseHead } from '@gw/plugin-api';
import type { AiExchange } from '../../exchange.js';
import { errorAnswer } from '../../phases/error-answer.js';
import { openaiErrorReader, parseOpenAiError, type OpenAiErrorDetail } from './errors.js';

export function openaiErrorPassthrough(ctx: RequestContext, response: ResponseHead, exchange: AiExchange, gatewayKey: boolean): Transformer<Uint8Array, Uint8Array> {
  const read = openaiErrorReader(gatewayKey);
  let detail: OpenAiErrorDetail | undefined;
  return errorAnswer(
    ctx,
    response,
    exchange,
    (status, headers, body) => {
      const result = read(status, headers, body);
      if (result.error.kind !== 'permission' || !gatewayKey) detail = parseOpenAiError(body).detail;
      return result;
    },
    (rendered) => {
      if (detail === undefined) return rendered;
      const body = JSON.parse(rendered.body) as { error: Record<string, unknown> };
      if (detail.type !== undefined) body.error.type = detail.type;
      if (detail.param !== undefined) body.error.param = detail.param;
      if (detail.code !== undefined) body.error.code = detail.code;
      return { status: rendered.status, body: JSON.stringify(body) };
    },
  );
}
