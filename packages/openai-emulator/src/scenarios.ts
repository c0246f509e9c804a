// What the emulator answers: a scenario named by a `[scenario:<name>]` marker in the conversation's last
// user text, or queued by a test (queue() wins), else `text`.
import type { ApiError } from './errors.js';

export type ScenarioName =
  | 'text'
  | 'echo'
  | 'tool_use'
  | 'reasoning'
  | 'length'
  | 'slow'
  | 'error_429'
  | 'error_500'
  | 'error_503'
  | 'stream_error'
  | 'stream_cut';

export const SCENARIO_NAMES: readonly ScenarioName[] = ['text', 'echo', 'tool_use', 'reasoning', 'length', 'slow', 'error_429', 'error_500', 'error_503', 'stream_error', 'stream_cut'];

export const isScenarioName = (name: string): name is ScenarioName => (SCENARIO_NAMES as readonly string[]).includes(name);

const MARKER = /\[scenario:([a-z0-9_]+)\]/;

/** The marker in the last user message's text, if any. */
export function markerScenario(text: string): string | undefined {
  return MARKER.exec(text)?.[1];
}

export const stripMarker = (text: string): string => text.replace(/\s*\[scenario:[a-z0-9_]+\]\s*/g, ' ').trim();

/** Scripted HTTP errors, as OpenAI sends them (headers included: the SDK's retry reads retry-after). */
export const SCRIPTED_ERRORS: Readonly<Partial<Record<ScenarioName, ApiError>>> = {
  error_429: {
    status: 429,
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.',
    headers: {
      'retry-after': '1',
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '40000',
      'x-ratelimit-remaining-tokens': '39000',
      'x-ratelimit-reset-tokens': '1.5s',
    },
  },
  error_500: { status: 500, type: 'server_error', message: 'The server had an error while processing your request. Sorry about that!' },
  error_503: { status: 503, type: 'server_error', code: 'service_unavailable', message: 'The server is overloaded or not ready yet.' },
};

/** The error event of `stream_error`, sent after some chunks. */
export const STREAM_ERROR: ApiError = { status: 500, type: 'server_error', message: 'The server had an error while processing your request. Sorry about that!' };
