import type { PhaseInput, UpstreamRequest } from '@gw/plugin-api';
import type { AiProxyConfig } from '../config/types.js';
import type { AiLocal, AiState } from './state.js';

/** The ai-proxy `upstream` phase; gw reruns it before each retry, so a signing backend re-signs every time. */
export function aiUpstream({ ctx, state, local, upstream }: PhaseInput<AiProxyConfig, AiState, AiLocal> & { upstream: UpstreamRequest }): void {
  const plan = local.plan;
  if (plan === undefined || state.translator === undefined) return;
  state.translator.backend.apply(plan, upstream);
  if (local.exchange !== undefined) local.exchange.upstreamSentAt = ctx.now();
}
