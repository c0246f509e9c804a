/**
 * The INI dialect of the AWS shared config and credentials files, read the way the AWS SDK for JavaScript
 * v3 reads it (so a file that works with `aws` and the SDK means the same to gw):
 * - `key = value`, both trimmed, split at the first `=`; keys are case-sensitive; values are not unquoted.
 * - `#` or `;` at the start of a line or after whitespace starts a comment (`secret#x` keeps its `#`).
 * - `[name]` is a section; `[profile name]`, `[sso-session name]`, `[services name]` (one space, the name
 *   optionally quoted) are prefixed sections; a section with any other prefix is skipped whole.
 * - `key =` with no value opens a nested block (`s3 =` then indented `max_concurrent_requests = 10`): its
 *   indented lines are another tool's settings, not the profile's; the next unindented key closes it.
 * - Lines before the first section, and lines without a key before `=`, are ignored; a repeated section
 *   adds to the first, a repeated key replaces the earlier value. Nothing in a file makes the parse fail.
 */

/** Section name → its settings. Prefixed sections are keyed `<prefix> <name>` (`profile dev`). */
export type IniSections = Map<string, Map<string, string>>;

const PREFIXES = new Set(['profile', 'sso-session', 'services']);
const PREFIXED = /^([\w-]+)\s(["']?)([\w@+.%:/-]+)\2$/;
const COMMENT = /(?:^|\s)[#;]/;

export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let section: string | undefined;
  let nested = false;
  for (const raw of text.split(/\r?\n/)) {
    const comment = COMMENT.exec(raw);
    const line = (comment === null ? raw : raw.slice(0, comment.index)).trim();
    if (line.startsWith('[') && line.endsWith(']')) {
      section = sectionName(line.slice(1, -1));
      nested = false;
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (value === '') {
      nested = true;
      continue;
    }
    if (nested && !/^\s/.test(raw)) nested = false;
    let settings = sections.get(section);
    if (settings === undefined) sections.set(section, (settings = new Map()));
    if (!nested) settings.set(key, value);
  }
  return sections;
}

/** The key a `[header]` files its settings under; undefined for a section the SDKs skip. */
function sectionName(header: string): string | undefined {
  const prefixed = PREFIXED.exec(header);
  if (prefixed === null) return header;
  return PREFIXES.has(prefixed[1]!) ? `${prefixed[1]} ${prefixed[3]}` : undefined;
}
