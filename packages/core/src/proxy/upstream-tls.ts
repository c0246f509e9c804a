/**
 * Upstream TLS per service (Kong's client_certificate, ca_certificates, tls_verify_depth): one https
 * keep-alive agent per distinct setting, so connections made with one client certificate or trust store
 * are never reused for another. Agents outlive config reloads (an unchanged setting keeps its pool);
 * lookups by the setting object are a WeakMap hit per request.
 */
import { createHash } from 'node:crypto';
import https from 'node:https';
import tls, { type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import type { UpstreamTls } from '../config/model.js';

export interface TlsAgents {
  /** The agent for a setting; `undefined` → the shared default agent. */
  get(setting: UpstreamTls | undefined): https.Agent;
  destroy(): void;
}

/** `make` builds the agent for one setting's TLS options: a plain https.Agent, or a tunnel through a proxy. */
export function createTlsAgents(fallback: https.Agent, make: (tls: https.AgentOptions) => https.Agent): TlsAgents {
  const byObject = new WeakMap<UpstreamTls, https.Agent>();
  const byContent = new Map<string, https.Agent>();
  return {
    get(setting) {
      if (setting === undefined) return fallback;
      let agent = byObject.get(setting);
      if (agent !== undefined) return agent;
      const key = contentKey(setting);
      agent = byContent.get(key);
      if (agent === undefined) {
        agent = make(agentTlsOptions(setting));
        byContent.set(key, agent);
      }
      byObject.set(setting, agent);
      return agent;
    },
    destroy() {
      for (const agent of byContent.values()) agent.destroy();
      byContent.clear();
    },
  };
}

/** A digest, so the map's keys don't hold private keys as strings. */
function contentKey(s: UpstreamTls): string {
  return createHash('sha256').update(JSON.stringify([s.cert ?? null, s.key ?? null, s.ca ?? null, s.verifyDepth ?? null])).digest('hex');
}

function agentTlsOptions(s: UpstreamTls): https.AgentOptions {
  const options: https.AgentOptions = {};
  if (s.cert !== undefined && s.key !== undefined) {
    options.cert = s.cert;
    options.key = s.key;
  }
  // Replaces the system's trust store, as Kong's per-service store does.
  if (s.ca !== undefined) options.ca = s.ca;
  if (s.verifyDepth !== undefined) options.checkServerIdentity = checkDepth(s.verifyDepth);
  return options;
}

/**
 * nginx's proxy_ssl_verify_depth (OpenSSL's verify depth): at most `max` intermediate CA certificates
 * between the upstream's certificate and the trust anchor. Node has no option for it, so it is checked
 * on the verified chain after the usual name check (which runs only when the chain was verified).
 */
export function checkDepth(max: number): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const error = tls.checkServerIdentity(host, cert);
    if (error !== undefined) return error;
    const intermediates = chainLength(cert as DetailedPeerCertificate) - 2;
    if (intermediates > max) {
      return Object.assign(new Error(`certificate chain too long: ${intermediates} intermediate CA certificates, tls_verify_depth is ${max}`), {
        code: 'CERT_CHAIN_TOO_LONG',
      });
    }
    return undefined;
  };
}

/** Certificates from the peer's to the anchor (Node ends a complete chain with a self-issued root). */
function chainLength(cert: DetailedPeerCertificate): number {
  let n = 1;
  let c = cert;
  while (c.issuerCertificate !== undefined && c.issuerCertificate !== c && c.issuerCertificate.fingerprint256 !== c.fingerprint256) {
    c = c.issuerCertificate;
    n++;
    if (n > 100) break;
  }
  return n;
}
