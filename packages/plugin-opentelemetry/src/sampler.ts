/**
 * Kong's sampling (kong.tracing:get_sampling_decision): a parent whose traceparent says "not sampled" is
 * followed; otherwise the trace id decides, at `sampling_rate` (1 when unset: gw has no kong.conf
 * `tracing_sampling_rate`). Spans inside a request follow their request's decision.
 */
import { trace, type Context } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

export function kongSampler(rate: number): Sampler {
  const ratio = new TraceIdRatioBasedSampler(rate);
  return {
    shouldSample(context: Context, traceId: string): SamplingResult {
      const parent = trace.getSpanContext(context);
      if (parent !== undefined && trace.isSpanContextValid(parent)) {
        const sampled = (parent.traceFlags & 1) === 1;
        if (!sampled) return { decision: SamplingDecision.NOT_RECORD };
        if (parent.isRemote !== true) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
      }
      return ratio.shouldSample(context, traceId);
    },
    toString: () => `KongSampler{${rate}}`,
  };
}
