/**
 * The OpenAI Chat Completions client format (`llm_format: openai`, Kong's default): the OpenAI SDKs,
 * Codex CLI, LangChain, Cursor, Continue, … A pair reads the body with body.ts (and messages.ts, tools.ts
 * when it translates), answers with completion.ts or the stream writer (chunks.ts, sse.ts).
 */
import type { ClientFormat } from '../format.js';
import type { ChatBody } from './body.js';
import { openaiErrorBody, openaiErrorStatus, openaiErrorType } from './errors.js';
import { classifyRoute } from './route.js';

export const openaiFormat: ClientFormat<ChatBody> = {
  name: 'openai',
  errorFormat: 'openai',
  classifyRoute,
  estimateInputTokens: (body) => estimateInputTokens(body),
  errorStatus: openaiErrorStatus,
  errorType: openaiErrorType,
  errorBody: openaiErrorBody,
};

/** About four bytes per token over everything that is prompt (messages and tools, JSON syntax included). */
function estimateInputTokens(body: ChatBody): number {
  let chars = 0;
  for (const name of ['messages', 'tools']) chars += body.members.get(name)?.length ?? 0;
  return Math.max(1, Math.ceil(chars / 4));
}
