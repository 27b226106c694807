import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { call } from '../helpers/api';
import { makeSigningCertificate, signSns } from '../helpers/signing';
import { createHandler as createSns } from '../../functions/sns-callbacks/handler';
import { httpsFetchText, MAX_CACHED_CERTIFICATES, SnsSignatureVerifier } from '../../shared/providers/sns-signature';

/**
 * Attacks on the SNS HTTPS endpoint. The attacker holds their own key and certificate and serves the
 * certificate wherever the endpoint would fetch it from, so a message "verifies" whenever the
 * endpoint is tricked into fetching from a URL the attacker controls.
 */
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:inbound-sms';
const NUMBER = '+14255576000';
let t: TestTable;
let attacker: ReturnType<typeof makeSigningCertificate>;
const fetched: string[] = [];
let sns: ReturnType<typeof createSns>;

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.number(NUMBER, { type: 'seller', id: 'alice' });
  attacker = makeSigningCertificate();
  // Every URL serves the attacker's certificate: only the endpoint's own URL check stands in the way.
  sns = createSns(t, { allowedTopicArns: [TOPIC], fetchText: async (url) => (fetched.push(url), attacker.certificatePem) });
});

const forged = (overrides: Record<string, string>) =>
  signSns(
    {
      Type: 'Notification', MessageId: `m-${Math.random()}`, TopicArn: TOPIC, Timestamp: t.clock.now().toISOString(),
      Message: JSON.stringify({ originationNumber: '+14255576100', destinationNumber: NUMBER, messageKeyword: 'K', messageBody: 'forged', inboundMessageId: `forged-${Math.random()}`, previousPublishedMessageId: '' }),
      ...overrides,
    },
    attacker.privateKeyPem,
  );
const post = (body: unknown) => call(sns, 'POST', '/callbacks/sns', { body: JSON.stringify(body), headers: { 'content-type': 'text/plain; charset=UTF-8' } });

describe('SNS certificate URL', () => {
  it.each([
    'https://sns.s3.amazonaws.com/SimpleNotificationService-0123abcd.pem', // an S3 bucket named "sns"
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem?x=.pem',
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem#frag',
    'https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem',
    'https://sns.us-east-1.amazonaws.com/attacker/SimpleNotificationService-0123abcd.pem',
    'https://sns.us-east-1.amazonaws.com/anything.pem',
    'https://sns.evil-region.amazonaws.com/SimpleNotificationService-0123abcd.pem',
    'https://sns.us-east-1.amazonaws.com.evil.io/SimpleNotificationService-0123abcd.pem',
    'https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-0123abcd.pem',
  ])('a message whose certificate is at %s is refused without fetching anything', async (url) => {
    fetched.length = 0;
    const response = await post(forged({ SigningCertURL: url }));
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('InvalidSignature');
    expect(fetched).toEqual([]);
  });

  it.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'ap-southeast-7'])('the real shape for region %s is fetched', async (region) => {
    fetched.length = 0;
    await post(forged({ SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem` }));
    expect(fetched).toHaveLength(1);
  });
});

describe('SNS certificate size and cache', () => {
  it('a certificate padded past the size cap is refused', async () => {
    const padded = createSns(t, { allowedTopicArns: [TOPIC], fetchText: async () => `${attacker.certificatePem}\n${'#'.repeat(200_000)}\n` });
    const response = await call(padded, 'POST', '/callbacks/sns', { body: JSON.stringify(forged({})), headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(403);
  });

  it('the production fetch stops reading a response larger than its cap', async () => {
    const server: Server = createServer((_req, res) => res.end('x'.repeat(100_000)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cert.pem`;
      await expect(httpsFetchText(url, 16_384)).rejects.toThrow(/too large/);
      await expect(httpsFetchText(url, 200_000)).resolves.toHaveLength(100_000);
    } finally {
      server.close();
    }
  });

  it(`caches at most ${MAX_CACHED_CERTIFICATES} certificates however many URLs are sent`, async () => {
    const verifier = new SnsSignatureVerifier(async () => attacker.certificatePem);
    for (let i = 0; i < 40; i++) {
      const url = `https://sns.us-east-1.amazonaws.com/SimpleNotificationService-${i.toString(16).padStart(8, '0')}.pem`;
      expect(await verifier.verify(forged({ SigningCertURL: url }))).toBe(true);
    }
    expect(verifier.cachedCertificates).toBeLessThanOrEqual(MAX_CACHED_CERTIFICATES);
    expect(verifier.cachedCertificates).toBeGreaterThan(0);
  });
});

describe('malformed SubscriptionConfirmation', () => {
  it.each([['Token'], ['SubscribeURL']])('without %s answers 400 before any fetch', async (missing) => {
    fetched.length = 0;
    const message: Record<string, string> = {
      Type: 'SubscriptionConfirmation', MessageId: 'c-x', Token: 'tok', TopicArn: TOPIC, Message: 'subscribe', Timestamp: t.clock.now().toISOString(),
      SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=tok`,
    };
    delete message[missing];
    const response = await post(signSns(message as never, attacker.privateKeyPem));
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ValidationError');
    expect(fetched).toEqual([]);
  });

  it('a SubscribeURL for another topic is not fetched', async () => {
    fetched.length = 0;
    const message = signSns(
      { Type: 'SubscriptionConfirmation', MessageId: 'c-y', Token: 'tok', TopicArn: TOPIC, Message: 'subscribe', Timestamp: t.clock.now().toISOString(), SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:999999999999:other&Token=tok' },
      attacker.privateKeyPem,
    );
    const response = await post(message);
    expect(response.status).toBe(400);
    expect(fetched.filter((u) => u.includes('ConfirmSubscription'))).toEqual([]);
  });
});

afterAll(() => {
  fetched.length = 0;
});
