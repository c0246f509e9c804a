/**
 * Upstream mTLS and custom CAs (Kong's service client_certificate, ca_certificates, tls_verify_depth),
 * from a decK file through the config loader to a real TLS server on 127.0.0.1 that requires a client
 * certificate.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, formatProblem } from '../../src/config/index.js';
import { makePki, type TestPki } from '../support/pki.js';
import { send, startGateway } from '../support/http.js';
import { writeFiles } from '../config/helpers.js';
import { testRegistry } from '../config/test-registry.js';

let pki: TestPki;
let upstream: https.Server;
let port: number;

beforeAll(async () => {
  pki = makePki();
  upstream = https.createServer({ cert: pki.serverChain, key: pki.serverKey, ca: pki.clientCa, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.end(`client ${String(peer.subject?.CN ?? 'none')}`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  port = (upstream.address() as AddressInfo).port;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

const indent = (pem: string, n: number) => pem.trim().split('\n').map((l) => ' '.repeat(n) + l).join('\n');

/** A decK file: the upstream behind one route, with the given service fields (YAML lines). */
function deckFile(serviceFields: string[], client = { cert: () => pki.clientCert, key: () => pki.clientKey }): string {
  return `_format_version: "3.0"
certificates:
  - id: 4e3ad2e4-0bc4-4638-8e34-c84a417ba39b
    cert: |
${indent(client.cert(), 6)}
    key: |
${indent(client.key(), 6)}
ca_certificates:
  - id: cce8c384-721f-4f58-85dd-50834e3e733a
    cert: |
${indent(pki.rootCa, 6)}
services:
  - name: upstream
    url: https://127.0.0.1:${port}
${serviceFields.map((l) => `    ${l}`).join('\n')}
    retries: 0
    routes:
      - {name: r, paths: [/]}
`;
}

async function through(text: string) {
  const result = await loadConfig(writeFiles({ 'kong.yaml': text }), { plugins: testRegistry(), env: {} });
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  const gw = await startGateway(result.config);
  try {
    return await send(gw.port, { path: '/' });
  } finally {
    await gw.close();
  }
}

const CLIENT = 'client_certificate: 4e3ad2e4-0bc4-4638-8e34-c84a417ba39b';
const CAS = 'ca_certificates: [cce8c384-721f-4f58-85dd-50834e3e733a]';

describe('upstream TLS from the service', () => {
  it('presents the client certificate and trusts only the listed CA', async () => {
    const reply = await through(deckFile([CLIENT, CAS]));
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('client gw-test-client');
  });

  it('accepts client_certificate as {id} too', async () => {
    const reply = await through(deckFile([`client_certificate: {id: 4e3ad2e4-0bc4-4638-8e34-c84a417ba39b}`, CAS]));
    expect(reply.body).toBe('client gw-test-client');
  });

  it('fails without the client certificate the upstream requires', async () => {
    expect((await through(deckFile([CAS]))).status).toBe(502);
  });

  it('fails with a certificate the upstream does not trust', async () => {
    const stranger = { cert: () => pki.strangerCert, key: () => pki.strangerKey };
    expect((await through(deckFile([CLIENT, CAS], stranger))).status).toBe(502);
  });

  it('fails without ca_certificates: the system store does not know the test root', async () => {
    expect((await through(deckFile([CLIENT]))).status).toBe(502);
    // …unless verification is off, as the service may say.
    expect((await through(deckFile([CLIENT, 'tls_verify: false']))).status).toBe(200);
  });

  it('limits the chain to tls_verify_depth intermediates (one here)', async () => {
    expect((await through(deckFile([CLIENT, CAS, 'tls_verify_depth: 1']))).status).toBe(200);
    expect((await through(deckFile([CLIENT, CAS, 'tls_verify_depth: 0']))).status).toBe(502);
  });
});
