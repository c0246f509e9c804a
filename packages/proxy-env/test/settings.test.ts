/** Which proxy a target takes: the variables, their precedence, NO_PROXY as curl documents it, and what gw prints. */
import { describe, expect, it } from 'vitest';
import { describeProxySettings, matchesNoProxy, parseNoProxy, proxyFor, readProxyEnv, type ProxySettings } from '../src/index.js';

const PROXY_PASSWORD = 'pr0xy-Secret%40x';

function settingsOf(env: Record<string, string>): ProxySettings {
  const read = readProxyEnv(env);
  expect(read.problems).toEqual([]);
  return read.settings!;
}

describe('the proxy variables', () => {
  it('https targets take HTTPS_PROXY, http targets HTTP_PROXY', () => {
    const s = settingsOf({ HTTPS_PROXY: 'http://secure.corp:3128', HTTP_PROXY: 'http://plain.corp:8080' });
    expect(proxyFor(s, 'https', 'bedrock-runtime.us-east-1.amazonaws.com', 443)?.display).toBe('http://secure.corp:3128');
    expect(proxyFor(s, 'http', 'internal.example', 80)?.display).toBe('http://plain.corp:8080');
  });

  it('lower case wins over upper case, as in curl', () => {
    const s = settingsOf({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2', http_proxy: 'http://lower:3', HTTP_PROXY: 'http://upper:4' });
    expect(s.https?.display).toBe('http://lower:1');
    expect(s.https?.variable).toBe('https_proxy');
    expect(s.http?.display).toBe('http://lower:3');
  });

  it('an empty variable is unset', () => {
    expect(readProxyEnv({ https_proxy: '', HTTPS_PROXY: 'http://upper:2' }).settings?.https?.variable).toBe('HTTPS_PROXY');
    expect(readProxyEnv({ HTTPS_PROXY: ' ' }).settings).toBeUndefined();
    expect(readProxyEnv({}).settings).toBeUndefined();
  });

  it('one scheme set: the other goes direct', () => {
    const s = settingsOf({ HTTPS_PROXY: 'http://p:3128' });
    expect(proxyFor(s, 'http', 'example.com', 80)).toBeUndefined();
  });

  it('upper-case HTTP_PROXY is read (as the AWS CLI does), except in a CGI environment (httpoxy)', () => {
    expect(readProxyEnv({ HTTP_PROXY: 'http://p:1' }).settings?.http?.display).toBe('http://p:1');
    const cgi = readProxyEnv({ HTTP_PROXY: 'http://p:1', REQUEST_METHOD: 'GET' });
    expect(cgi.settings).toBeUndefined();
    expect(cgi.warnings.join('\n')).toMatch(/HTTP_PROXY is ignored because REQUEST_METHOD is set/);
    expect(readProxyEnv({ http_proxy: 'http://p:1', REQUEST_METHOD: 'GET' }).settings?.http?.display).toBe('http://p:1');
  });

  it('ALL_PROXY is not read, and says so', () => {
    const read = readProxyEnv({ ALL_PROXY: 'socks5://p:1080' });
    expect(read.settings).toBeUndefined();
    expect(read.warnings.join('\n')).toMatch(/ALL_PROXY is not read/);
  });

  it('a proxy without scheme is http://; without port 80 (https:// 443)', () => {
    expect(settingsOf({ HTTPS_PROXY: 'proxy.corp:3128' }).https?.display).toBe('http://proxy.corp:3128');
    expect(settingsOf({ HTTPS_PROXY: 'http://proxy.corp' }).https?.port).toBe(80);
    expect(settingsOf({ HTTPS_PROXY: 'https://proxy.corp' }).https?.port).toBe(443);
    expect(settingsOf({ HTTPS_PROXY: 'http://[::1]:3128' }).https).toMatchObject({ host: '::1', display: 'http://[::1]:3128' });
  });

  it('credentials: percent-decoded into Proxy-Authorization, never in what is printed', () => {
    const s = settingsOf({ HTTPS_PROXY: `http://gw%20user:${PROXY_PASSWORD}@proxy.corp:3128` });
    expect(s.https?.authorization).toBe(`Basic ${Buffer.from(`gw user:${decodeURIComponent(PROXY_PASSWORD)}`).toString('base64')}`);
    const line = describeProxySettings(s);
    expect(line).toBe('outbound proxy: https via http://proxy.corp:3128 (HTTPS_PROXY, with credentials), http direct; no no_proxy; AWS metadata addresses direct');
    expect(line).not.toContain('pr0xy');
    expect(s.https?.display).not.toContain('user');
  });

  it('refuses what it cannot use, naming the variable and never the value', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ HTTPS_PROXY: 'socks5://p:1080' }, /^HTTPS_PROXY: gw talks to http:\/\/ and https:\/\/ proxies, not socks5:\/\/$/],
      [{ https_proxy: 'http://[bad' }, /^https_proxy is not a valid proxy URL/],
      [{ HTTPS_PROXY: `http://u:${'pr0xy%zz'}@p:1` }, /^HTTPS_PROXY: the proxy user or password is not valid percent-encoding/],
    ];
    for (const [env, message] of cases) {
      const read = readProxyEnv(env);
      expect(read.problems).toHaveLength(1);
      expect(read.problems[0]).toMatch(message);
      expect(read.problems[0]).not.toContain('pr0xy');
    }
  });
});

describe('NO_PROXY (curl: lib/noproxy.c and CURLOPT_NOPROXY)', () => {
  const direct = (noProxy: string, host: string, port = 443) => matchesNoProxy(parseNoProxy(noProxy), host, port);

  it('a name matches itself and the names under it, with or without a leading dot, in any case', () => {
    expect(direct('ample.com', 'ample.com')).toBe(true);
    expect(direct('ample.com', 'www.ample.com')).toBe(true);
    expect(direct('ample.com', 'www.example.com')).toBe(false);
    expect(direct('ample.com', 'ample.com.org')).toBe(false);
    expect(direct('.ample.com', 'www.ample.com')).toBe(true);
    expect(direct('.ample.com', 'ample.com')).toBe(true);
    expect(direct('Ample.COM', 'WWW.ample.com')).toBe(true);
    expect(direct('ample.com.', 'www.ample.com.')).toBe(true);
  });

  it('a name matches on every port (curl); an entry with a port only on that one (Go, Python)', () => {
    expect(direct('ample.com', 'ample.com', 8443)).toBe(true);
    expect(direct('ample.com:8443', 'ample.com', 8443)).toBe(true);
    expect(direct('ample.com:8443', 'ample.com', 443)).toBe(false);
    expect(direct('[::1]:8080', '::1', 8080)).toBe(true);
    expect(direct('[::1]:8080', '::1', 8081)).toBe(false);
  });

  it('* alone, or as one entry, sends everything direct', () => {
    expect(direct('*', 'anything.example')).toBe(true);
    expect(direct('localhost, *', '10.1.2.3')).toBe(true);
    expect(direct('*.ample.com', 'www.ample.com')).toBe(true);
    expect(direct('*.ample.com', 'www.example.com')).toBe(false);
  });

  it('IP addresses and CIDR ranges match IP targets, never names (nothing is resolved)', () => {
    expect(direct('192.168.0.0/16', '192.168.4.5')).toBe(true);
    expect(direct('192.168.0.0/16', '192.169.4.5')).toBe(false);
    expect(direct('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(direct('10.1.2.3', '10.1.2.4')).toBe(false);
    expect(direct('127.0.0.0/8', '127.0.0.1')).toBe(true);
    expect(direct('127.0.0.1', 'localhost')).toBe(false);
    expect(direct('localhost', '127.0.0.1')).toBe(false);
    expect(direct('::1', '[::1]')).toBe(true);
    expect(direct('[::1]', '::1')).toBe(true);
    expect(direct('fd00::/8', 'fd12:3456::1')).toBe(true);
    expect(direct('fd00::/8', 'fe80::1')).toBe(false);
    expect(direct('::ffff:10.0.0.0/104', '::ffff:10.9.8.7')).toBe(true);
    expect(direct('10.0.0.0/33', '10.0.0.1')).toBe(false);
  });

  it('blanks and repeated commas separate entries', () => {
    expect(direct(' a.example ,, b.example  c.example', 'c.example')).toBe(true);
    expect(direct('', 'a.example')).toBe(false);
  });

  it('loopback is proxied unless NO_PROXY names it, as curl does', () => {
    const s = settingsOf({ HTTPS_PROXY: 'http://p:3128' });
    expect(proxyFor(s, 'https', '127.0.0.1', 443)).toBeDefined();
    expect(proxyFor(s, 'https', 'localhost', 443)).toBeDefined();
    const exempt = settingsOf({ HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'localhost,127.0.0.1,::1' });
    expect(proxyFor(exempt, 'https', '127.0.0.1', 443)).toBeUndefined();
    expect(proxyFor(exempt, 'https', 'localhost', 443)).toBeUndefined();
    expect(proxyFor(exempt, 'https', '::1', 443)).toBeUndefined();
  });

  it('no_proxy wins over NO_PROXY', () => {
    const s = settingsOf({ HTTPS_PROXY: 'http://p:3128', no_proxy: 'a.example', NO_PROXY: 'b.example' });
    expect(proxyFor(s, 'https', 'a.example', 443)).toBeUndefined();
    expect(proxyFor(s, 'https', 'b.example', 443)).toBeDefined();
    expect(describeProxySettings(s)).toContain('no_proxy a.example');
  });

  it('the AWS instance metadata and container credential addresses never go through a proxy', () => {
    const s = settingsOf({ HTTPS_PROXY: 'http://p:3128', HTTP_PROXY: 'http://p:3128' });
    for (const host of ['169.254.169.254', '[fd00:ec2::254]', '169.254.170.2', '169.254.170.23', 'fd00:ec2::23']) {
      expect(proxyFor(s, 'http', host, 80), host).toBeUndefined();
      expect(proxyFor(s, 'https', host, 443), host).toBeUndefined();
    }
    expect(proxyFor(s, 'http', '169.254.169.253', 80)).toBeDefined();
  });
});
