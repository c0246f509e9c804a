/**
 * Web identity (EKS IRSA and any OIDC federation), as the AWS SDKs read it: env AWS_ROLE_ARN +
 * AWS_WEB_IDENTITY_TOKEN_FILE (+ AWS_ROLE_SESSION_NAME) → STS AssumeRoleWithWebIdentity, an unsigned call
 * carrying the token. The file is read for every STS call: the kubelet rotates the token in place.
 */
import { readFile } from 'node:fs/promises';
import type { Endpoint } from '../endpoint.js';
import type { AwsCredentials } from './identity.js';
import { cachedCredentials, callSts, failed, stsEndpoint } from './sts-client.js';

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
      let token: string;
      try {
        token = (await readFile(identity.tokenFile, 'utf8')).trim();
      } catch (error) {
        throw failed(`web identity token file unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      return callSts({
        endpoint: identity.endpoint,
        form: { Action: 'AssumeRoleWithWebIdentity', RoleArn: identity.roleArn, RoleSessionName: identity.sessionName, WebIdentityToken: token },
      });
    },
    now,
  );
}
