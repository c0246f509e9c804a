/**
 * NO_PROXY as curl reads it (lib/noproxy.c): a comma-separated list; `*` matches every host; a name
 * matches itself and every name under it (`example.com` and `.example.com` both match
 * `www.example.com`, not `notexample.com`), case-insensitively, trailing dots ignored; an IP address
 * matches an IP target only, optionally as a CIDR range (`10.0.0.0/8`, `fd00::/8`), IPv6 with or without
 * brackets. Names are never resolved: `localhost` does not match `127.0.0.1`.
 *
 * Beyond curl, as Go, Python and Node 24 read it: `*.example.com` is `.example.com`, an entry may carry a
 * port (`example.com:8443`, `[::1]:8080`: only that port), `*` may be one entry among others, and
 * blanks separate entries as commas do.
 */
import net from 'node:net';

type Entry =
  | { kind: 'name'; name: string; port: number | undefined }
  | { kind: 'ip'; bytes: Uint8Array; bits: number; port: number | undefined };

export interface NoProxy {
  /** NO_PROXY says `*`: nothing goes through the proxy. */
  readonly all: boolean;
  readonly entries: readonly Entry[];
}

export const EMPTY_NO_PROXY: NoProxy = { all: false, entries: [] };

export function parseNoProxy(value: string | undefined): NoProxy {
  if (value === undefined) return EMPTY_NO_PROXY;
  const entries: Entry[] = [];
  let all = false;
  for (const token of value.split(/[\s,]+/)) {
    if (token === '') continue;
    if (token === '*') {
      all = true;
      continue;
    }
    const entry = parseEntry(token);
    if (entry !== undefined) entries.push(entry);
  }
  return { all, entries };
}

function parseEntry(token: string): Entry | undefined {
  let host = token;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(token);
  if (bracketed !== null) {
    host = bracketed[1]!;
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else if ((token.match(/:/g) ?? []).length === 1) {
    // One colon: host:port (IPv6 addresses have at least two).
    const at = token.indexOf(':');
    const digits = token.slice(at + 1);
    if (!/^\d+$/.test(digits)) return undefined;
    host = token.slice(0, at);
    port = Number(digits);
  }
  const slash = host.indexOf('/');
  const address = slash === -1 ? host : host.slice(0, slash);
  const family = net.isIP(address);
  if (family !== 0) {
    const max = family === 4 ? 32 : 128;
    const bits = slash === -1 ? max : Number(host.slice(slash + 1));
    // curl: a prefix length it can't use never matches.
    if (!Number.isInteger(bits) || bits < 0 || bits > max) return undefined;
    return { kind: 'ip', bytes: ipBytes(address, family), bits, port };
  }
  let name = host.toLowerCase().replace(/\.$/, '');
  if (name.startsWith('*.')) name = name.slice(1);
  if (name.startsWith('.')) name = name.slice(1);
  return name === '' ? undefined : { kind: 'name', name, port };
}

/** Whether a request to `host:port` goes direct by this list. `host` as in a URL: IPv6 with or without brackets. */
export function matchesNoProxy(list: NoProxy, host: string, port: number): boolean {
  if (list.all) return true;
  if (list.entries.length === 0) return false;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = net.isIP(bare);
  if (family !== 0) {
    const bytes = ipBytes(bare, family);
    return list.entries.some((e) => e.kind === 'ip' && (e.port === undefined || e.port === port) && inRange(bytes, e.bytes, e.bits));
  }
  const name = bare.toLowerCase().replace(/\.$/, '');
  return list.entries.some((e) => e.kind === 'name' && (e.port === undefined || e.port === port) && (name === e.name || name.endsWith(`.${e.name}`)));
}

/** An address's bytes (IPv4: 4, IPv6: 16); an IPv4 address and an IPv4-mapped IPv6 one never compare equal (curl neither). */
function ipBytes(address: string, family: number): Uint8Array {
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  const bytes = new Uint8Array(16);
  // Expand "::" and a trailing dotted IPv4 part into eight 16-bit groups.
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return bytes;
}

function inRange(address: Uint8Array, network: Uint8Array, bits: number): boolean {
  if (address.length !== network.length) return false;
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (address[i] !== network[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[whole]! & mask) === (network[whole]! & mask);
}
