/**
 * A plugin that runs its log phase before ai-proxy's (as budgets, metrics and traces do) and keeps what it
 * reads on AI_CALL, by request id: what those plugins would charge and record for each call.
 */
import { AI_CALL, definePlugin, type AiCall, type AiUsageReport } from '@gw/plugin-api';

export interface WatchedCall {
  call: Omit<AiCall, 'usage'>;
  usage: AiUsageReport;
}

export function aiCallWatcher() {
  const calls = new Map<string, WatchedCall>();
  const plugin = definePlugin({
    name: 'ai-call-watcher',
    version: '0.0.0',
    priority: 905,
    configSchema: { type: 'object' },
    log({ ctx }) {
      const call = ctx.read(AI_CALL);
      if (call === undefined) return;
      const { usage, ...rest } = call;
      calls.set(ctx.id, { call: rest, usage: usage() });
    },
  });
  return { plugin, calls };
}
