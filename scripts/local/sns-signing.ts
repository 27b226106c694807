/** SNS message signatures, as SNS makes them: the `--synth` stack's HTTPS deliveries and the tests' callbacks. */
import forge from 'node-forge';
import { createSign } from 'node:crypto';
import { snsStringToSign, type SnsHttpEnvelope } from '../../shared/providers/sns-signature';

/** A key pair and self-signed certificate made in the test, standing in for SNS's signing certificate. */
export function makeSigningCertificate() {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: 'commonName', value: 'sns.amazonaws.com' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

export const TEST_CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

export function signSns(
  message: Omit<SnsHttpEnvelope, 'Signature' | 'SignatureVersion' | 'SigningCertURL'> & Partial<Pick<SnsHttpEnvelope, 'SigningCertURL'>>,
  privateKeyPem: string,
  version: '1' | '2' = '2',
): SnsHttpEnvelope {
  const unsigned = { ...message, SignatureVersion: version, SigningCertURL: message.SigningCertURL ?? TEST_CERT_URL, Signature: '' } as SnsHttpEnvelope;
  const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(snsStringToSign(unsigned), 'utf8');
  return { ...unsigned, Signature: signer.sign(privateKeyPem, 'base64') };
}
