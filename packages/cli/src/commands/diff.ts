/** `gw diff -s FILE --admin URL`: what `gw sync --admin` would change on a running gw; exit 0 when nothing, 2 when something. */
import { loadPlugins } from '../load.js';
import { out } from '../output.js';
import { planChanges, planLines, summary, type AdminTarget } from '../admin/plan.js';

export interface DiffOptions extends AdminTarget {
  plugins?: string;
}

/** decK's --non-zero-exit-code: 2 when there are differences (gw always answers so). */
export const DIFFERENCES = 2;

export async function runDiff(opts: DiffOptions): Promise<number> {
  const plugins = await loadPlugins(opts.state, opts.plugins);
  const plan = await planChanges(opts, plugins);
  if (!plan) return 1;
  for (const line of [...planLines(plan), ...summary(plan.changes)]) out(line);
  return plan.same && plan.changes.length === 0 ? 0 : DIFFERENCES;
}
