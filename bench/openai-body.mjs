// A Claude Code request (Anthropic Messages) as the same conversation in OpenAI Chat Completions form, for
// the OpenAI → Converse workload: system blocks as a system message (their cache marks kept, as gw reads
// them), the user turn's blocks as text parts, tools as functions with the same schemas, the thinking
// budget as reasoning effort, Claude Code's metadata user id as `user`.

/** @param {Record<string, any>} body @param {boolean} stream */
export function openaiChatBody(body, stream) {
  /** @param {any} block */
  const part = (block) => ({ type: 'text', text: block.text, ...(block.cache_control ? { cache_control: block.cache_control } : {}) });
  /** @param {any} content */
  const parts = (content) => (typeof content === 'string' ? content : content.map(part));
  return JSON.stringify({
    model: body.model,
    messages: [
      { role: 'system', content: parts(body.system) },
      ...body.messages.map((/** @type {any} */ m) => ({ role: m.role, content: parts(m.content) })),
    ],
    tools: body.tools.map((/** @type {any} */ t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } })),
    max_completion_tokens: body.max_tokens,
    reasoning_effort: 'high',
    user: body.metadata?.user_id,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  });
}
