import { GatewayError } from '@gw/plugin-api';
import { byteText, textOf, type ByteText } from '../../text/byte-text.js';
import { DuplicateMemberError, readMembers, type MemberStarts, type RawMembers } from '../../text/json-members.js';
import type { QuotedWords } from '../../text/quoted-words.js';
import type { MemberSource } from '../../text/write-members.js';

/**
 * A checked Anthropic Messages request: its bytes and latin1 view (for splicing, see byte-text.ts), its
 * top-level members (latin1 views; copy the map before changing it) and the two fields routing needs.
 */
export interface ParsedBody extends ByteText, MemberSource {
  /** The client's `model`, when it is a string. */
  model: string | undefined;
  /** `stream: true` */
  stream: boolean;
}

/**
 * The members gw forwards without reading them. They are most of a Claude Code body (~85 KB of 87):
 * JSON.parse of the whole body cost more than everything else in the request path, so they are only
 * scanned for their boundaries, and malformed JSON deep inside them is left to the upstream to reject
 * (a 400 invalid_request_error either way). Everything else is small and parsed here, so later readers
 * (options, betas, thinking) can rely on valid JSON.
 */
const FORWARDED_UNREAD: ReadonlySet<string> = new Set(['messages', 'system', 'tools']);

function invalid(): never {
  throw new GatewayError('GW_ERR_AI_INVALID_BODY');
}

/** The (decoded) key, quoted and cut short: it is the client's own text, echoed back. */
function duplicate(name: string): GatewayError {
  let key = JSON.stringify(name);
  if (key.length > 64) key = `${key.slice(0, 60)}…"`;
  return new GatewayError('GW_ERR_AI_DUPLICATE_KEY', { params: { key } });
}

const NO_WORDS: readonly string[] = [];

/**
 * Check the body the way Kong's normalize-request does: UTF-8, a JSON object, a non-empty `messages`
 * array; and, unlike Kong, no top-level key twice. `words`: plain words (isPlainWord) the caller will look
 * for quoted inside members (the Bedrock pair's beta-dependent fields): the scan notes which members
 * mention them, so the caller needn't search ~85 KB once per word. Pass the same array every time.
 */
export function parseMessagesBody(bytes: Uint8Array, words: readonly string[] = NO_WORDS): ParsedBody {
  const body = byteText(bytes) ?? invalid();
  let members: RawMembers;
  const starts: MemberStarts = new Map();
  // No words, no probe: the scan is then a little faster.
  const quoted: QuotedWords | undefined = words.length === 0 ? undefined : { words, found: new Map() };
  try {
    members = readMembers(body.latin1, { whole: true, starts, quoted });
  } catch (error) {
    if (error instanceof DuplicateMemberError) throw duplicate(error.key);
    invalid();
  }
  const values = new Map<string, unknown>();
  for (const [name, raw] of members) {
    if (FORWARDED_UNREAD.has(name)) continue;
    try {
      values.set(name, JSON.parse(raw));
    } catch {
      invalid();
    }
  }
  if (!nonEmptyArray(members.get('messages'))) invalid();
  const model = values.get('model');
  return { ...body, members, starts, quoted, model: typeof model === 'string' ? textOf(model) : undefined, stream: values.get('stream') === true };
}

/** `[` followed by something other than `]` (the scanner already found where the value ends). */
function nonEmptyArray(raw: string | undefined): boolean {
  if (raw === undefined || raw.charCodeAt(0) !== 0x5b) return false;
  for (let i = 1; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) continue;
    return code !== 0x5d;
  }
  return false;
}
