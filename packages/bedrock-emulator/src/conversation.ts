// Reading the request's conversation: the last user turn, its tool results, the scenario marker.

type Block = { type?: unknown; text?: unknown; content?: unknown };
type Turn = { role?: unknown; content?: unknown };

const MARKER = /\[scenario:([A-Za-z0-9_-]+)\]/;

function blocks(turn: Turn): Block[] {
  if (typeof turn.content === 'string') return [{ type: 'text', text: turn.content }];
  return Array.isArray(turn.content) ? (turn.content as Block[]).filter((b) => typeof b === 'object' && b !== null) : [];
}

const texts = (turn: Turn) => blocks(turn).flatMap((b) => (b.type === 'text' && typeof b.text === 'string' ? [b.text] : []));

const userTurns = (messages: unknown): Turn[] =>
  Array.isArray(messages) ? (messages as Turn[]).filter((m) => typeof m === 'object' && m !== null && m.role === 'user') : [];

/** Text of the last user message, with any scenario marker removed. */
export function lastUserText(messages: unknown): string {
  const last = userTurns(messages).at(-1);
  return last ? texts(last).join('\n').replace(new RegExp(MARKER.source, 'g'), '').trim() : '';
}

/**
 * The `[scenario:NAME]` marker of the last user message. A turn that returns tool results continues the
 * exchange that the earlier turn started, so without its own marker the earlier turn's marker applies.
 */
export function markerScenario(messages: unknown): string | undefined {
  for (const turn of userTurns(messages).reverse()) {
    const marker = MARKER.exec(texts(turn).join('\n'))?.[1];
    if (marker) return marker;
    if (!blocks(turn).some((b) => b.type === 'tool_result')) return undefined;
  }
  return undefined;
}

/** The content of the tool results in the last user message, or undefined when there are none. */
export function lastToolResults(messages: unknown): string | undefined {
  const last = userTurns(messages).at(-1);
  const results = last ? blocks(last).filter((b) => b.type === 'tool_result') : [];
  if (results.length === 0) return undefined;
  return results
    .map((r) => (typeof r.content === 'string' ? r.content : Array.isArray(r.content) ? texts({ content: r.content }).join('\n') : ''))
    .join('\n');
}
