/**
 * Web identity (EKS IRSA and any OIDC federation), as the AWS SDKs read it: env AWS_ROLE_ARN +
 * AWS_WEB_IDENTITY_TOKEN_FILE (+ AWS_ROLE_SESSION_NAME) → STS AssumeRoleWithWebIdentity, an unsigned call
 * carrying the token. The file is read for every STS call: the kubelet rotates the token in place.
 */
import type { Endpoint } from '../../backends/endpoint.js';
import type { AwsCredentials } from './identity.js';
import { cachedCredentials, callSts, failed, stsEndpoint } from './sts-client.js';
import { readTokenFile } from './credential-document.js';

export interface WebIdentity {
  roleArn: string;
  tokenFile: string;
  sessionName: string;
  endpoint: Readonly<Endpoint>;
}

export function webIdentityOf(env: NodeJS.ProcessEnv, region: string, stsUrl: string | undefined): WebIdentity | undefined {
  if (!env.AWS_ROLE_ARN || !env.AWS_WEB_IDENTITY_TOKEN_FILE) return undefined;
  return { roleArn: env.AWS_ROLE_ARN, tokenFile: env.AWS_WEB_IDENTITY_TOKEN_FILE, sessionName: env.AWS_ROLE_SESSION_NAME || 'gw', endpoint: stsEndpoint(stsUrl, env, region) };
}

export function webIdentityCredentials(identity: WebIdentity, now = Date.now): Promise<AwsCredentials> {
  const key = ['web-identity', identity.roleArn, identity.tokenFile, identity.sessionName, identity.endpoint.host, identity.endpoint.port].join('\n');
  return cachedCredentials(
    key,
    async () => {
      const token = await readTokenFile(identity.tokenFile, 'web identity token file', failed);
      return callSts({
        endpoint: identity.endpoint,
        form: { Action: 'AssumeRoleWithWebIdentity', RoleArn: identity.roleArn, RoleSessionName: identity.sessionName, WebIdentityToken: token },
      });
    },
    now,
  );
}
