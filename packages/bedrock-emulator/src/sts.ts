/**
 * STS, enough for gw's credential sources: `POST /` with `Action=AssumeRole` (SigV4 for service `sts`
 * with the emulator's base credentials) or `Action=AssumeRoleWithWebIdentity` (unsigned, a
 * `WebIdentityToken`; `invalid…` tokens are refused). Each call mints temporary credentials (`ASIA…` key,
 * secret, session token, one hour) that the Bedrock side then accepts. A role ARN containing `denied`
 * answers AccessDenied, as STS does when the trust policy doesn't allow the caller.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Credentials } from './sigv4.js';

/** `POST /` whose form body asks for AssumeRole or AssumeRoleWithWebIdentity; undefined for anything else. */
export function assumeRoleRequest(method: string, url: string, body: Buffer): URLSearchParams | undefined {
  if (method !== 'POST' || (url !== '/' && !url.startsWith('/?'))) return undefined;
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action');
  return action === 'AssumeRole' || action === 'AssumeRoleWithWebIdentity' ? form : undefined;
}

export type StsAnswer = { status: number; xml: string; issued?: Credentials };

export function assumeRole(form: URLSearchParams, now = new Date()): StsAnswer {
  const requestId = randomUUID();
  const roleArn = form.get('RoleArn') ?? '';
  const session = form.get('RoleSessionName') ?? '';
  if (!/^arn:aws:iam::\d{12}:role\/.+/.test(roleArn) || session === '') {
    return error(400, 'ValidationError', 'RoleArn and RoleSessionName are required: RoleArn must be an IAM role ARN.', requestId);
  }
  const web = form.get('Action') === 'AssumeRoleWithWebIdentity';
  if (web && (form.get('WebIdentityToken') ?? '').replace(/^$/, 'invalid').startsWith('invalid')) {
    return error(400, 'InvalidIdentityToken', 'Couldn\'t retrieve verification key from your identity provider.', requestId);
  }
  if (roleArn.includes('denied')) {
    return error(403, 'AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, requestId);
  }
  const issued: Credentials = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(60).toString('base64'),
  };
  const expiration = new Date(now.getTime() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const account = roleArn.split(':')[4];
  const roleName = roleArn.split('/').at(-1);
  const action = web ? 'AssumeRoleWithWebIdentity' : 'AssumeRole';
  const xml = `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <${action}Result>
    <Credentials>
      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>
      <SessionToken>${issued.sessionToken}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${escape(session)}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${escape(session)}</AssumedRoleId>
    </AssumedRoleUser>
  </${action}Result>
  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>
</${action}Response>
`;
  return { status: 200, xml, issued };
}

/** STS's error document for a SigV4 failure or a refused call. */
export function error(status: number, code: string, message: string, requestId = randomUUID()): StsAnswer {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    xml: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`,
  };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
