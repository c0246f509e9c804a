/** certificates and ca_certificates in a decK file: Kong's entity checks, references and warnings. */
import { beforeAll, describe, expect, it } from 'vitest';
import { makePki, type TestPki } from '../support/pki.js';
import { loadFail, loadOk } from './helpers.js';

let pki: TestPki;
beforeAll(() => {
  pki = makePki();
});

const block = (pem: string) => `|\n${pem.trim().split('\n').map((l) => `      ${l}`).join('\n')}`;
const head = '_format_version: "3.0"\n';

describe('certificates', () => {
  it('resolves client_certificate and ca_certificates into the service and its upstream TLS setting', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}certificates:
  - id: c1
    cert: ${block(pki.clientCert)}
    key: ${block(pki.clientKey)}
ca_certificates:
  - cert: ${block(pki.rootCa)}
  - id: ca2
    cert: ${block(pki.intermediateCa)}
services:
  - name: s
    url: https://upstream.example
    client_certificate: c1
    ca_certificates: [ca2]
    tls_verify_depth: 2
  - name: plain
    url: https://example.com
`,
    });
    const [s, plain] = config.services;
    expect(s).toMatchObject({ client_certificate: { id: 'c1' }, ca_certificates: ['ca2'], tls_verify_depth: 2 });
    expect(config.upstreamTls.get(s.id)).toEqual({ cert: `${pki.clientCert.trim()}\n`, key: `${pki.clientKey.trim()}\n`, ca: [`${pki.intermediateCa.trim()}\n`], verifyDepth: 2 });
    expect(config.upstreamTls.has(plain.id)).toBe(false);
    expect(config.warnings).toEqual([]);
  });

  it("applies Kong's checks with Kong's messages, never printing a key", async () => {
    const problems = await loadFail({
      'kong.yaml': `${head}certificates:
  - id: mismatched
    cert: ${block(pki.clientCert)}
    key: ${block(pki.strangerKey)}
  - id: broken
    cert: not a certificate
    key: ${block(pki.clientKey)}
ca_certificates:
  - id: leaf
    cert: ${block(pki.clientCert)}
  - id: two
    cert: ${block(pki.rootCa + pki.intermediateCa)}
services:
  - name: s
    url: https://upstream.example
    client_certificate: nope
    ca_certificates: [leaf, missing]
  - name: h
    url: http://upstream.example
    tls_verify: true
`,
    });
    expect(problems.map((p) => p.replace(/:\d+:\d+ /, ' '))).toEqual([
      'kong.yaml certificates[0]: certificate does not match key',
      expect.stringMatching(/^kong.yaml certificates\[1\].cert: invalid certificate: /),
      'kong.yaml ca_certificates[0].cert: certificate does not appear to be a CA because it is missing the "CA" basic constraint',
      'kong.yaml ca_certificates[1].cert: please submit only one certificate at a time',
      'kong.yaml services[0].client_certificate: certificate nope for service s: entity not found',
      'kong.yaml services[0].ca_certificates[1]: ca_certificate missing for service s: entity not found',
      "kong.yaml services[1].tls_verify: value must be null when protocol is 'http' (Kong uses it for https only)",
    ]);
    const secret = pki.strangerKey.split('\n')[1];
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('refuses an expired CA (the clock is a load option)', async () => {
    const problems = await loadFail({ 'kong.yaml': `${head}ca_certificates:\n  - cert: ${block(pki.rootCa)}\n` }, { now: Date.UTC(2100, 0, 1) / 1000 });
    expect(problems).toEqual(['kong.yaml:3:11 ca_certificates[0].cert: certificate expired, "Not After" time is in the past']);
  });

  it('warns that certificate snis are not served (the TLS listener uses --ssl-cert)', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}certificates:
  - cert: ${block(pki.clientCert)}
    key: ${block(pki.clientKey)}
    snis: [{name: api.example.com}]
`,
    });
    expect(config.warnings).toEqual([
      expect.stringMatching(/^kong.yaml:\d+:11 certificates\[0\].snis: are not served: gw's TLS listener serves the --ssl-cert certificate whatever the SNI/),
    ]);
  });
});
