/**
 * A Bedrock-native call, re-aimed and re-signed: the operation the client named, on the model gw's policy
 * resolved (the path's, or what an alias maps it to), the body through the beta policy (body.ts), signed
 * with gw's credentials. Of the client's headers only the operation's own parameters go on (guardrail,
 * trace, content types, performance and service tier): never its credentials, SigV4 or bearer.
 */
import type { HeaderMap } from '@gw/plugin-api';
import type { PlanInput, Planned } from '../translator.js';
import type { NativeBody } from '../../formats/bedrock/body.js';
import { isStreamOperation } from '../../formats/bedrock/route.js';
import { resolveBedrockTarget, type BedrockPlan, type BedrockState } from '../../backends/bedrock/plan.js';
import { countTokensModelId, encodeModelId } from '../../backends/bedrock/url.js';
import { toNativeBedrockBody } from './body.js';

/** InvokeModel's request headers (the AWS SDK's serializer), besides the body. */
const INVOKE_HEADERS = [
  'content-type',
  'x-amzn-bedrock-trace',
  'x-amzn-bedrock-guardrailidentifier',
  'x-amzn-bedrock-guardrailversion',
  'x-amzn-bedrock-performanceconfig-latency',
  'x-amzn-bedrock-service-tier',
] as const;

function single(headers: Readonly<HeaderMap>, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The operation's own headers, as the client set them: signed and sent over the backend's defaults. */
function operationHeaders(headers: Readonly<HeaderMap>, body: NativeBody): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const invoke = body.operation === 'invoke' || body.operation === 'invoke-with-response-stream';
  for (const name of invoke ? INVOKE_HEADERS : (['content-type'] as const)) {
    const value = single(headers, name);
    if (value !== undefined) out[name] = value;
  }
  // What the model's answer should be: `accept` on InvokeModel, `x-amzn-bedrock-accept` on its stream.
  if (body.operation === 'invoke') {
    const accept = single(headers, 'accept');
    if (accept !== undefined) out.accept = accept;
  } else if (body.operation === 'invoke-with-response-stream') {
    const accept = single(headers, 'x-amzn-bedrock-accept');
    if (accept !== undefined) out['x-amzn-bedrock-accept'] = accept;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export async function planNative(input: PlanInput<NativeBody>): Promise<Planned<BedrockPlan>> {
  const { config, model, body } = input;
  const target = await resolveBedrockTarget(config, input.state.backend as BedrockState);
  const out = toNativeBedrockBody(body, model);
  const plan: BedrockPlan = {
    endpoint: target.endpoint,
    // CountTokens takes a foundation model id: an alias to an inference profile must not break it.
    path: `${target.endpoint.prefix}/model/${encodeModelId(body.operation === 'count-tokens' ? countTokensModelId(model) : model)}/${body.operation}`,
    operation: body.operation,
    stream: isStreamOperation(body.operation),
    body: out.body,
    region: target.region,
    credentials: target.credentials,
  };
  const headers = operationHeaders(input.request.headers, body);
  if (headers !== undefined) plan.headers = headers;
  return { plan, sent: out.body };
}
