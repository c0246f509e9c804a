/**
 * EC2 instance profile credentials through IMDSv2, the AWS SDKs' last resort: a session token (PUT
 * /latest/api/token), the role name, then the role's credentials. Like the SDKs: AWS_EC2_METADATA_DISABLED
 * turns it off, AWS_EC2_METADATA_SERVICE_ENDPOINT moves it, AWS_METADATA_SERVICE_TIMEOUT (seconds, default
 * 1) bounds each call. Off EC2 nothing answers: that is remembered for a minute, so a gateway without any
 * credentials answers GW_ERR_AI_NO_CREDENTIALS at once instead of waiting on every request.
 */
import { credentialsFailed as failed, type AwsCredentials } from './identity.js';
import { cachedCredentials, type TemporaryCredentials } from './sts-client.js';
import { requestText } from './http-text.js';
import { parseCredentialDocument } from './credential-document.js';

export interface InstanceSource {
  endpoint: string;
  timeoutMs: number;
}

const UNAVAILABLE_FOR_MS = 60_000;
const TOKEN_TTL_SECONDS = '21600';

export function instanceSourceOf(env: NodeJS.ProcessEnv): InstanceSource | undefined {
  if ((env.AWS_EC2_METADATA_DISABLED ?? '').toLowerCase() === 'true') return undefined;
  const seconds = Number(env.AWS_METADATA_SERVICE_TIMEOUT);
  return {
    endpoint: (env.AWS_EC2_METADATA_SERVICE_ENDPOINT || 'http://169.254.169.254').replace(/\/+$/, ''),
    timeoutMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000,
  };
}

/** Not an instance (or no role attached): no answer, remembered per endpoint until this time. */
const unavailableUntil = new Map<string, number>();
class NoInstanceProfile extends Error {}

/** The instance role's credentials; undefined when there is no instance metadata service or no role. */
export async function instanceCredentials(source: InstanceSource, now = Date.now): Promise<AwsCredentials | undefined> {
  if ((unavailableUntil.get(source.endpoint) ?? 0) > now()) return undefined;
  try {
    return await cachedCredentials(`instance\n${source.endpoint}`, () => fetchCredentials(source), now);
  } catch (error) {
    if (!(error instanceof NoInstanceProfile)) throw error;
    unavailableUntil.set(source.endpoint, now() + UNAVAILABLE_FOR_MS);
    return undefined;
  }
}

async function fetchCredentials(source: InstanceSource): Promise<TemporaryCredentials> {
  const call = async (method: 'GET' | 'PUT', path: string, headers: Record<string, string>) => {
    const fail = () => new NoInstanceProfile();
    const reply = await requestText({ url: new URL(`${source.endpoint}${path}`), method, headers, timeoutMs: source.timeoutMs, what: 'instance metadata', fail });
    if (reply.status !== 200) throw new NoInstanceProfile();
    return reply.text;
  };
  const token = await call('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS });
  const auth = { 'x-aws-ec2-metadata-token': token };
  const role = (await call('GET', '/latest/meta-data/iam/security-credentials/', auth)).split('\n')[0]!.trim();
  if (role === '') throw new NoInstanceProfile();
  const text = await call('GET', `/latest/meta-data/iam/security-credentials/${encodeURIComponent(role)}`, auth);
  return parseCredentialDocument(text, 'instance profile credentials', failed);
}
