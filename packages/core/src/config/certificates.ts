/**
 * Kong's `certificates` and `ca_certificates` entities, for upstream TLS: a service's
 * `client_certificate` (the certificate presented to the upstream, mTLS) and `ca_certificates` (the trust
 * store for the upstream's certificate, instead of the system's). The checks are Kong's entity checks
 * (certificates.lua, ca_certificates.lua) with Kong's messages; PEM parsing is Node's (OpenSSL).
 * A key never appears in a message: OpenSSL's errors name the failure, not the bytes.
 */
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isRecord } from './collect.js';
import type { Collected, Entity, Origin, Report } from './collect.js';
import { stableId } from './ids.js';

const BEGIN_CERT = '-----BEGIN CERTIFICATE-----';

function parseCert(pem: unknown, field: string, e: Entity, report: Report): X509Certificate | undefined {
  if (typeof pem !== 'string') return undefined;
  try {
    return new X509Certificate(pem);
  } catch (err) {
    report(e.origin, [field], `invalid certificate: ${reason(err)}`);
    return undefined;
  }
}

function parseKey(pem: unknown, field: string, e: Entity, report: Report): KeyObject | undefined {
  if (typeof pem !== 'string') return undefined;
  try {
    return createPrivateKey(pem);
  } catch (err) {
    report(e.origin, [field], `invalid key: ${reason(err)}`);
    return undefined;
  }
}

function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // OpenSSL's "error:1E08010C:DECODER routines::unsupported" → "unsupported"; never any input bytes.
  return message.replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/, '') || 'unreadable PEM';
}

/** certificates.lua: cert and key parse and match; cert_alt/key_alt likewise, of another key type. */
export function checkCertificate(e: Entity, report: Report, warn: Report): void {
  const raw = e.raw;
  const cert = parseCert(raw.cert, 'cert', e, report);
  const key = parseKey(raw.key, 'key', e, report);
  if (cert && key && !cert.checkPrivateKey(key)) report(e.origin, [], 'certificate does not match key');
  if ((raw.cert_alt === undefined) !== (raw.key_alt === undefined)) {
    report(e.origin, [raw.cert_alt === undefined ? 'cert_alt' : 'key_alt'], "all or none of these fields must be set: 'cert_alt', 'key_alt'", { at: [] });
  } else if (raw.cert_alt !== undefined) {
    const certAlt = parseCert(raw.cert_alt, 'cert_alt', e, report);
    const keyAlt = parseKey(raw.key_alt, 'key_alt', e, report);
    if (certAlt && keyAlt && !certAlt.checkPrivateKey(keyAlt)) report(e.origin, [], 'alternative certificate does not match key');
    else if (cert && certAlt && cert.publicKey.asymmetricKeyType === certAlt.publicKey.asymmetricKeyType) {
      report(e.origin, [], 'certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type');
    } else warn(e.origin, ['cert_alt'], "is not used: Kong serves it to downstream clients, and gw's TLS listener serves the --ssl-cert certificate");
  }
  if (Array.isArray(raw.snis) && raw.snis.length > 0) {
    warn(e.origin, ['snis'], "are not served: gw's TLS listener serves the --ssl-cert certificate whatever the SNI; gw uses this certificate only as a service's client_certificate");
  }
}

/** ca_certificates.lua: exactly one certificate, a CA, not expired. `now` in seconds. */
export function checkCaCertificate(e: Entity, now: number, report: Report, warn: Report): void {
  const pem = e.raw.cert;
  if (typeof pem !== 'string') return;
  const first = pem.indexOf(BEGIN_CERT);
  if (first >= 0 && pem.indexOf(BEGIN_CERT, first + BEGIN_CERT.length) >= 0) {
    report(e.origin, ['cert'], 'please submit only one certificate at a time');
    return;
  }
  const cert = parseCert(pem, 'cert', e, report);
  if (!cert) return;
  if (Date.parse(cert.validTo) / 1000 < now) report(e.origin, ['cert'], 'certificate expired, "Not After" time is in the past');
  if (!cert.ca) report(e.origin, ['cert'], 'certificate does not appear to be a CA because it is missing the "CA" basic constraint');
  const digest = e.raw.cert_digest;
  if (typeof digest === 'string' && digest.toLowerCase() !== certDigest(cert)) {
    warn(e.origin, ['cert_digest'], 'does not match cert; Kong recomputes it from cert, and so does gw');
  }
}

/** Kong's cert_digest: the SHA-256 of the DER certificate, hex. */
function certDigest(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** What a service asked for, resolved: indexes into `certificates` / `caCertificates`. */
export interface ServiceTlsRefs {
  clientCertificate?: number;
  caCertificates?: number[];
}

export interface ResolvedTls {
  certificateIds: string[];
  caCertificateIds: string[];
  /** Per service (same order as `Collected.services`). */
  services: ServiceTlsRefs[];
}

function refId(ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref;
  if (isRecord(ref) && typeof ref.id === 'string') return ref.id;
  return undefined;
}

/** Ids of certificates (explicit, else derived from the PEM), duplicates, and the services' references to them. */
export function resolveTls(c: Collected, report: Report, where: (o: Origin) => string): ResolvedTls {
  const index = (kind: string, list: Entity[]) => {
    const byId = new Map<string, number>();
    const ids = list.map((e, i) => {
      const explicit = typeof e.raw.id === 'string' ? e.raw.id : undefined;
      const id = explicit ?? stableId(kind, typeof e.raw.cert === 'string' ? e.raw.cert.trim() : String(i));
      const prev = byId.get(id);
      if (prev !== undefined) {
        const what = explicit ? `id '${id}'` : 'cert';
        report(e.origin, [explicit ? 'id' : 'cert'], `duplicate ${kind} ${what} (also declared at ${where(list[prev].origin)})`);
      } else byId.set(id, i);
      return id;
    });
    return { ids, byId };
  };
  const certs = index('certificate', c.certificates);
  const cas = index('ca_certificate', c.caCertificates);
  const services = c.services.map((s): ServiceTlsRefs => {
    const out: ServiceTlsRefs = {};
    const name = String(s.raw.name ?? s.raw.id);
    const client = s.raw.client_certificate;
    if (client !== undefined && client !== null) {
      const id = refId(client);
      const i = id === undefined ? undefined : certs.byId.get(id);
      if (i === undefined) report(s.origin, ['client_certificate'], `certificate ${id ?? ''} for service ${name}: entity not found`);
      else out.clientCertificate = i;
    }
    if (Array.isArray(s.raw.ca_certificates)) {
      out.caCertificates = [];
      s.raw.ca_certificates.forEach((ref, j) => {
        const i = typeof ref === 'string' ? cas.byId.get(ref) : undefined;
        if (i === undefined) report(s.origin, ['ca_certificates', j], `ca_certificate ${String(ref)} for service ${name}: entity not found`);
        else out.caCertificates!.push(i);
      });
    }
    return out;
  });
  return { certificateIds: certs.ids, caCertificateIds: cas.ids, services };
}
