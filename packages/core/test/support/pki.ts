/**
 * A throwaway PKI for TLS tests, made with the `openssl` command line: a root CA, an intermediate CA, a
 * server certificate for 127.0.0.1 signed by the intermediate, and a separate client CA with one client
 * certificate. EC P-256 keys, valid for two days.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  rootCa: string;
  intermediateCa: string;
  /** Server leaf followed by the intermediate (what the server sends). */
  serverChain: string;
  serverKey: string;
  clientCa: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate no CA of the server knows. */
  strangerCert: string;
  strangerKey: string;
}

const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';

export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'gw-pki-'));
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const selfSigned = (name: string, cn: string) =>
    ssl('req', '-x509', ...newKey, '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`), '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const signed = (name: string, cn: string, issuer: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext);
    ssl('req', ...newKey, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${issuer}.pem`), '-CAkey', f(`${issuer}.key`), '-CAcreateserial', '-out', f(`${name}.pem`), '-days', '2', '-extfile', f(`${name}.ext`));
  };
  try {
    selfSigned('root', 'gw-test-root');
    signed('intermediate', 'gw-test-intermediate', 'root', CA_EXT);
    signed('server', 'gw-test-upstream', 'intermediate', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    selfSigned('client-ca', 'gw-test-client-ca');
    signed('client', 'gw-test-client', 'client-ca', 'extendedKeyUsage=clientAuth\n');
    selfSigned('stranger', 'gw-test-stranger');
    const read = (name: string) => readFileSync(f(name), 'utf8');
    return {
      rootCa: read('root.pem'),
      intermediateCa: read('intermediate.pem'),
      serverChain: read('server.pem') + read('intermediate.pem'),
      serverKey: read('server.key'),
      clientCa: read('client-ca.pem'),
      clientCert: read('client.pem'),
      clientKey: read('client.key'),
      strangerCert: read('stranger.pem'),
      strangerKey: read('stranger.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
