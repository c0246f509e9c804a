import type { PhaseInput, UpstreamRequest } from '@gw/plugin-api';
import type { AiProxyConfig } from '../config/types.js';
import { applyAnthropicPlan } from '../backends/anthropic/upstream.js';
import { applyBedrockPlan } from '../backends/bedrock/upstream.js';
import type { AiLocal, AiState } from './state.js';

/** The ai-proxy `upstream` phase; gw reruns it before each retry, so Bedrock is re-signed every time. */
export function aiUpstream({ ctx, local, upstream }: PhaseInput<AiProxyConfig, AiState, AiLocal> & { upstream: UpstreamRequest }): void {
  const plan = local.plan;
  if (plan === undefined) return;
  if (plan.provider === 'bedrock') applyBedrockPlan(plan, upstream);
  else applyAnthropicPlan(plan, upstream);
  if (local.exchange !== undefined) local.exchange.upstreamSentAt = ctx.now();
}
