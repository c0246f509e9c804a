/**
 * A Bedrock-native request: the model and the operation from the path (route.ts), the body as the client
 * wrote it for that model (InvokeModel's model-specific JSON, Converse's, CountTokens'). gw passes the body
 * on; it only finds its top-level members (no full parse: a Claude Code body is ~87 KB), so the beta policy
 * can read `anthropic_beta` and splice what it changes.
 */
import { GatewayError, type ClientRequest } from '@gw/plugin-api';
import type { ParsedRequest } from '../format.js';
import { byteText, type ByteText } from '../../text/byte-text.js';
import { DuplicateMemberError, readMembers, type MemberStarts, type RawMembers } from '../../text/json-members.js';
import type { QuotedWords } from '../../text/quoted-words.js';
import type { MemberSource } from '../../text/write-members.js';
import { isStreamOperation, nativeTarget, type NativeOperation } from './route.js';

export interface NativeBody extends ParsedRequest, ByteText, MemberSource {
  /** The model named in the path (decoded), as the client sent it. */
  model: string;
  operation: NativeOperation;
}

function invalid(): never {
  throw new GatewayError('GW_ERR_AI_INVALID_BODY', { message: 'request body is not a JSON object' });
}

/**
 * UTF-8, one JSON object, no top-level key twice (gw and Bedrock could read different values). Whatever
 * else the model's format asks is Bedrock's to check. `words`: plain words to note inside members, for the
 * beta policy (quoted-words.ts, QuotedWords); the same array every time.
 */
export function parseNativeBody(bytes: Uint8Array, request: Pick<ClientRequest, 'rawPath' | 'path' | 'uriCaptures'>, words: readonly string[]): NativeBody {
  const { modelId, operation } = nativeTarget(request);
  const body = byteText(bytes) ?? invalid();
  const starts: MemberStarts = new Map();
  const quoted: QuotedWords | undefined = words.length === 0 ? undefined : { words, found: new Map() };
  let members: RawMembers;
  try {
    members = readMembers(body.latin1, { whole: true, starts, quoted });
  } catch (error) {
    if (error instanceof DuplicateMemberError) throw duplicate(error.key);
    invalid();
  }
  return { ...body, members, starts, quoted, model: modelId, operation, stream: isStreamOperation(operation) };
}

/** The (decoded) key, quoted and cut short: it is the client's own text, echoed back. */
function duplicate(name: string): GatewayError {
  let key = JSON.stringify(name);
  if (key.length > 64) key = `${key.slice(0, 60)}…"`;
  return new GatewayError('GW_ERR_AI_DUPLICATE_KEY', { params: { key } });
}
