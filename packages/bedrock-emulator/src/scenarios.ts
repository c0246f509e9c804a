// Scripted behaviours: what the emulator answers for a request, chosen per request.
import { conversationReply } from './replies.js';
import type { BedrockError } from './errors.js';
import { ACCESS_DENIED, INVALID_INPUT, THROTTLED, UNAVAILABLE } from './errors.js';
import type { AnthropicMessage } from './messages.js';

export const SCENARIOS = [
  'text',
  'echo',
  'tool_use',
  'thinking',
  'cache',
  'throttle',
  'throttle_once',
  'overload',
  'validation',
  'access_denied',
  'exception_mid_stream',
  'exception_first',
  'slow',
  'cut',
  'truncated',
  'hang',
] as const;

export type ScenarioName = (typeof SCENARIOS)[number];

export interface Scenario {
  name: ScenarioName;
  /** Reply text instead of the scenario's own. */
  text?: string;
  /** `slow`: pause before each stream event, or once before a non-streaming answer (default 200 ms). */
  delayMs?: number;
  /** `exception_mid_stream`, `cut`, `truncated`: complete events sent before the failure (default 2). */
  failAfter?: number;
  /** The exception frame of `exception_mid_stream` / `exception_first`. */
  exception?: { type: string; message: string };
  /** Bedrock's `p` padding in chunk payloads (default true). */
  padding?: boolean;
  /** `throttle`, `throttle_once`, `overload`: a `retry-after` header with these seconds. */
  retryAfter?: number;
}

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

export function toScenario(value: string | Scenario): Scenario {
  const scenario = typeof value === 'string' ? { name: value } : value;
  if (!isScenarioName(scenario.name)) {
    throw new Error(`unknown scenario "${scenario.name}"; known: ${SCENARIOS.join(', ')}`);
  }
  return scenario as Scenario;
}

export type Ending =
  | { kind: 'complete' }
  | { kind: 'exception'; after: number; type: string; message: string }
  | { kind: 'cut'; after: number }
  | { kind: 'truncated'; after: number };

export type Plan =
  | { kind: 'error'; error: BedrockError }
  | { kind: 'hang' }
  | { kind: 'reply'; message: AnthropicMessage; delayMs: number; padding: boolean; ending: Ending };

export interface PlanInput {
  body: Record<string, unknown>;
  modelId: string;
  inputTokens: number;
  streaming: boolean;
  /** `throttle_once`: whether this exact request was throttled before. */
  throttledBefore: boolean;
}

const MID_STREAM = { type: 'internalServerException', message: 'The server encountered an internal error while processing the request.' };
const FIRST_FRAME = { type: 'modelStreamErrorException', message: 'Model stream error: the model produced an unexpected output.' };

export function plan(scenario: Scenario, input: PlanInput): Plan {
  const after = scenario.failAfter ?? 2;
  const ending = (e: Ending): Ending => (input.streaming ? e : { kind: 'complete' });
  const reply = (e: Ending = { kind: 'complete' }, delayMs = 0): Plan => ({
    kind: 'reply',
    message: conversationReply(scenario, input),
    delayMs,
    padding: scenario.padding ?? true,
    ending: ending(e),
  });
  const wait = (error: BedrockError): Plan => ({ kind: 'error', error: scenario.retryAfter === undefined ? error : { ...error, retryAfter: scenario.retryAfter } });
  switch (scenario.name) {
    case 'throttle':
      return wait(THROTTLED);
    case 'throttle_once':
      return input.throttledBefore ? reply() : wait(THROTTLED);
    case 'overload':
      return wait(UNAVAILABLE);
    case 'validation':
      return { kind: 'error', error: INVALID_INPUT };
    case 'access_denied':
      return { kind: 'error', error: ACCESS_DENIED };
    case 'hang':
      return { kind: 'hang' };
    case 'slow':
      return reply({ kind: 'complete' }, scenario.delayMs ?? 200);
    case 'exception_mid_stream':
      return reply({ kind: 'exception', after, ...(scenario.exception ?? MID_STREAM) });
    case 'exception_first':
      return reply({ kind: 'exception', after: 0, ...(scenario.exception ?? FIRST_FRAME) });
    case 'cut':
      return reply({ kind: 'cut', after });
    case 'truncated':
      return reply({ kind: 'truncated', after });
    default:
      return reply();
  }
}
