/**
 * An event stream's failure frame as the neutral error: `:message-type: exception` (Bedrock's modelled
 * exceptions, `:exception-type: throttlingException`, payload `{"message"}`) or `error` (protocol-level,
 * with `:error-code` / `:error-message` headers). The same for InvokeModel's and Converse's streams.
 */
import type { AiError } from '../../../errors.js';
import { mapBedrockError, safeUpstreamMessage } from '../errors.js';
import { headerString, type Frame } from './frame-decoder.js';

export interface FrameFailure {
  error: AiError;
  /** Bedrock's name for it, when the frame gives one (logged as upstream_type). */
  upstreamType: string | undefined;
}

export function frameFailure(frame: Frame): FrameFailure {
  const upstreamType = headerString(frame, ':exception-type') ?? headerString(frame, ':error-code');
  const { status, kind } = mapBedrockError(upstreamType);
  const message = exceptionMessage(frame) ?? upstreamType ?? 'upstream stream failed';
  return { error: { status, kind, message }, upstreamType };
}

function exceptionMessage(frame: Frame): string | undefined {
  const header = headerString(frame, ':error-message');
  if (header !== undefined) return safeUpstreamMessage(header);
  try {
    const body = JSON.parse(frame.body.toString('utf8')) as Record<string, unknown>;
    const message = body.message ?? body.Message;
    return typeof message === 'string' ? safeUpstreamMessage(message) : undefined;
  } catch {
    return undefined;
  }
}
