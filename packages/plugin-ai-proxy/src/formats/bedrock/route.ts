/**
 * Bedrock Runtime's operations as Bedrock-native clients (the AWS SDKs, Claude Code in Bedrock mode) call
 * them: `POST …/model/{modelId}/{operation}` under the route's prefix. As Kong's native adapter finds
 * them: the route's named captures `model` and `operation` first, else the path's last two segments after
 * `model`. The id is one segment, split off first and then percent-decoded (an ARN carries `%2F`), so `:`
 * and `%3A` name the same model. Anything else on the route (the control plane's `GET /inference-profiles`
 * that Claude Code 2.1 sends at start-up) is no operation gw serves: 404 UnknownOperationException.
 */
import { GatewayError, type ClientRequest } from '@gw/plugin-api';
import type { RouteKind } from '../../exchange.js';

export type NativeOperation = 'invoke' | 'invoke-with-response-stream' | 'converse' | 'converse-stream' | 'count-tokens';

const OPERATIONS: Readonly<Record<string, NativeOperation>> = {
  invoke: 'invoke',
  'invoke-with-response-stream': 'invoke-with-response-stream',
  converse: 'converse',
  'converse-stream': 'converse-stream',
  'count-tokens': 'count-tokens',
};

const NOT_AN_OPERATION =
  'this route serves only the Bedrock Runtime operations POST /model/{modelId}/invoke, invoke-with-response-stream, converse, converse-stream and count-tokens';

export function isStreamOperation(operation: NativeOperation): boolean {
  return operation === 'invoke-with-response-stream' || operation === 'converse-stream';
}

/** Kong's `/model/([^/]+)/([^/]+)$`: the model segment and the operation segment, still encoded. */
const MODEL_PATH = /\/model\/([^/]+)\/([^/]+)\/?$/;

function operationOf(name: string | undefined): NativeOperation | undefined {
  return name !== undefined && Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
}

export function classifyRoute(method: string, path: string): RouteKind {
  const operation = operationOf(MODEL_PATH.exec(path)?.[2]);
  if (operation === undefined) throw new GatewayError('GW_ERR_AI_NOT_FOUND', { message: NOT_AN_OPERATION });
  if (method !== 'POST') throw new GatewayError('GW_ERR_AI_METHOD_NOT_ALLOWED', { headers: { allow: 'POST' } });
  return operation === 'count-tokens' ? 'count_tokens' : 'chat';
}

export interface NativeTarget {
  /** Decoded: `us.anthropic.claude-haiku-4-5-20251001-v1:0`, or an ARN with its `/`. */
  modelId: string;
  operation: NativeOperation;
}

/** The model and operation a request names (classifyRoute already accepted its path). */
export function nativeTarget(request: Pick<ClientRequest, 'rawPath' | 'path' | 'uriCaptures'>): NativeTarget {
  const captures = request.uriCaptures;
  const captured = operationOf(captures.operation);
  const fromPath = MODEL_PATH.exec(request.rawPath) ?? MODEL_PATH.exec(request.path);
  const rawModel = captured !== undefined && captures.model ? captures.model : fromPath?.[1];
  const operation = captured !== undefined && captures.model ? captured : operationOf(fromPath?.[2]);
  if (rawModel === undefined || operation === undefined) throw new GatewayError('GW_ERR_AI_NOT_FOUND', { message: NOT_AN_OPERATION });
  return { modelId: decodeSegment(rawModel), operation };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GatewayError('GW_ERR_BAD_REQUEST', { message: 'the model id in the path is not valid percent-encoding' });
  }
}
