import { describe, expect, it } from 'vitest';
import { parseCredentialDocument } from '../../../src/auth/aws/credential-document.js';

const fail = (detail: string) => new Error(detail);
const doc = { AccessKeyId: 'ASIAX', SecretAccessKey: 'secret-value', Token: 'tok', Expiration: '2026-11-25T12:00:00Z' };

describe('the credential agents’ JSON document', () => {
  it('reads ECS/EKS agent and IMDS answers alike', () => {
    const expected = { accessKeyId: 'ASIAX', secretAccessKey: 'secret-value', sessionToken: 'tok', expiresAt: Date.parse(doc.Expiration) };
    expect(parseCredentialDocument(JSON.stringify(doc), 'x', fail)).toEqual(expected);
    expect(parseCredentialDocument(JSON.stringify({ Code: 'Success', Type: 'AWS-HMAC', ...doc }), 'x', fail)).toEqual(expected);
  });

  it.each([
    ['not JSON', '<html>', 'unreadable creds'],
    ['an IMDS failure code', JSON.stringify({ ...doc, Code: 'AssumeRoleUnauthorizedAccess' }), 'creds: AssumeRoleUnauthorizedAccess'],
    ['a missing token', JSON.stringify({ ...doc, Token: undefined }), 'unreadable creds'],
    ['a bad expiration', JSON.stringify({ ...doc, Expiration: 'soon' }), 'unreadable creds'],
  ])('refuses %s, naming the problem but never a value', (_what, text, message) => {
    expect(() => parseCredentialDocument(text, 'creds', fail)).toThrow(new Error(message));
  });
});
