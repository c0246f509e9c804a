/**
 * Which `anthropic-beta` flags travel to Bedrock, kept as data so a new flag is a one-line change.
 * Sources: docs/reference/bedrock.md#betas and docs/reference/claude-code.md#bedrock-mode (Claude Code's
 * own Bedrock mode is the oracle: what it sends Bedrock is known to work).
 *
 * Rule: a flag is forwarded in body `anthropic_beta` only if it is in `accepted` (after `renames`) and
 * no `modelExceptions` entry excludes the upstream model; every other flag is dropped (Bedrock answers 400 "invalid beta flag" for unknown ones). A body field
 * listed in `dependentFields` is removed unless one of its `flags` is forwarded, so dropping a beta never
 * leaves a field behind that Bedrock rejects ("context_management: Extra inputs are not permitted").
 */

export interface DependentField {
  /**
   * Where the field is: dot-separated names; `name[]` walks every element of an array.
   * e.g. `tools[].defer_loading`, `messages[].content[].cache_control.ttl`.
   */
  path: string;
  /** The field stays only when at least one of these flags is forwarded. */
  flags: readonly string[];
}

export interface ModelException {
  flag: string;
  /** Globs (`*` = any run of characters) of upstream model ids that don't get the flag. */
  models: readonly string[];
}

export interface BetaPolicy {
  accepted: readonly string[];
  renames: Readonly<Record<string, string>>;
  /** Accepted flags that some models still don't get. */
  modelExceptions: readonly ModelException[];
  dependentFields: readonly DependentField[];
}

export const BEDROCK_BETA_POLICY: BetaPolicy = {
  accepted: [
    // Sent by Claude Code's Bedrock mode (sonnet) and the one flag Opus 4.7 accepted.
    'interleaved-thinking-2025-05-14',
    // Bedrock's name for tool search; Claude Code 2.1.330's Bedrock mode sends it with defer_loading tools.
    'tool-search-tool-2025-10-19',
    // Listed as Bedrock betas in AWS's Claude Messages docs (users add them via ANTHROPIC_BETAS).
    'context-1m-2025-08-07',
    'token-efficient-tools-2025-02-19',
    'output-128k-2025-02-19',
    'computer-use-2025-01-24',
  ],
  renames: {
    // First-party tool search flag → Bedrock's (Claude Code 2.1.330 Bedrock mode; envoy ai-gateway).
    'advanced-tool-use-2025-11-20': 'tool-search-tool-2025-10-19',
  },
  modelExceptions: [
    // Claude Code's Bedrock mode sends it for Sonnet but never for Haiku (3.5 or 4.5, thinking on or off).
    { flag: 'interleaved-thinking-2025-05-14', models: ['*haiku*'] },
  ],
  // Dropped on purpose although some reports say Bedrock accepts them: context-management-2025-06-27
  // (Claude Code's Bedrock mode drops it and its field; `clear_thinking keep: all` is a no-op anyway),
  // fine-grained-tool-streaming-2025-05-14 (dropped by Claude Code's Bedrock mode),
  // claude-code-20250219 (header-only marker), thinking-token-count-2026-05-13 and
  // extended-cache-ttl-2025-04-11 (rejected: envoy ai-gateway list, anthropics/claude-code#56595).
  dependentFields: [
    { path: 'context_management', flags: ['context-management-2025-06-27'] },
    { path: 'thinking.display', flags: ['thinking-display-updates-2026-08-18'] },
    { path: 'tools[].defer_loading', flags: ['tool-search-tool-2025-10-19'] },
    { path: 'tools[].eager_input_streaming', flags: ['fine-grained-tool-streaming-2025-05-14'] },
    { path: 'system[].cache_control.ttl', flags: ['extended-cache-ttl-2025-04-11'] },
    { path: 'tools[].cache_control.ttl', flags: ['extended-cache-ttl-2025-04-11'] },
    { path: 'messages[].content[].cache_control.ttl', flags: ['extended-cache-ttl-2025-04-11'] },
    { path: 'mcp_servers', flags: ['mcp-client-2025-04-04', 'mcp-client-2025-11-20'] },
  ],
};
