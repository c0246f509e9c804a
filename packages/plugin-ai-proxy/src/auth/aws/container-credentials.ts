/**
 * Container credentials, as the AWS SDKs read them: ECS task roles (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
 * served at 169.254.170.2) and EKS Pod Identity or any local agent (AWS_CONTAINER_CREDENTIALS_FULL_URI with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN). Plain http is allowed only to the addresses the SDKs
 * allow (loopback and the ECS/EKS agents): credentials must not cross a network in clear.
 */
import { credentialsFailed as failed, type AwsCredentials } from './identity.js';
import { cachedCredentials, type TemporaryCredentials } from './sts-client.js';
import { requestText } from './http-text.js';
import { parseCredentialDocument, readTokenFile } from './credential-document.js';

export interface ContainerSource {
  url: URL;
  token?: string;
  tokenFile?: string;
}

const ECS_AGENT = 'http://169.254.170.2';
const PLAIN_HTTP_HOSTS = new Set(['169.254.170.2', '169.254.170.23', '[fd00:ec2::23]', 'localhost', '[::1]']);
const TIMEOUT_MS = 5_000;

/** The configured container credentials endpoint, if any (a disallowed one throws). */
export function containerSourceOf(env: NodeJS.ProcessEnv): ContainerSource | undefined {
  let raw: string;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) raw = `${ECS_AGENT}${env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}`;
  else if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI) raw = env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
  else return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw failed('AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL');
  }
  const loopback = /^127\./.test(url.hostname) || PLAIN_HTTP_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw failed(`container credentials over plain http only from loopback or the ECS/EKS agent, not ${url.hostname}`);
  }
  const source: ContainerSource = { url };
  if (env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) source.tokenFile = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
  else if (env.AWS_CONTAINER_AUTHORIZATION_TOKEN) source.token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  return source;
}

/** The agent's credentials, fetched once per cache lifetime; the token file is read for every fetch (it rotates). */
export function containerCredentials(source: ContainerSource, now = Date.now): Promise<AwsCredentials> {
  return cachedCredentials(['container', source.url.href, source.tokenFile ?? ''].join('\n'), () => fetchCredentials(source), now);
}

async function fetchCredentials(source: ContainerSource): Promise<TemporaryCredentials> {
  const token = source.tokenFile === undefined ? source.token : await readTokenFile(source.tokenFile, 'container authorization token file', failed);
  const headers: Record<string, string> = token === undefined ? {} : { authorization: token };
  const { status, text } = await requestText({ url: source.url, method: 'GET', headers, timeoutMs: TIMEOUT_MS, what: 'container credentials endpoint', fail: failed });
  if (status !== 200) throw failed(`container credentials endpoint answered HTTP ${status}`);
  return parseCredentialDocument(text, 'container credentials', failed);
}
