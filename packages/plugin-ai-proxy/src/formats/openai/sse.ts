/** Server-sent events as OpenAI streams them: `data: <json>` lines, a blank line after each, `[DONE]` last. */

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** The stream's last event, after the final chunk (and the usage chunk when asked for). */
export const DONE = Buffer.from('data: [DONE]\n\n', 'latin1');

/**
 * Keep-alive while the upstream is silent: an SSE comment. OpenAI's stream has no ping event, and a
 * `data:` line would reach client code as a chunk; a comment is skipped by every SSE parser but still
 * resets idle timers that count bytes.
 */
export const KEEP_ALIVE = Buffer.from(': keep-alive\n\n', 'latin1');
