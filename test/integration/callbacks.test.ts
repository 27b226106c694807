import { beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { call } from '../helpers/api';
import { makeSigningCertificate, signedTwilioForm, signSns, TEST_CERT_URL } from '../helpers/signing';
import { createHandler as createTwilio } from '../../functions/twilio-callbacks/handler';
import { createHandler as createSns } from '../../functions/sns-callbacks/handler';
import { twoWaySnsEvent } from '../helpers/inbound';
import { createHandler as createInbound } from '../../functions/inbound/handler';
import { lambdaContext } from '../helpers/api';

const TOKEN = 'test-twilio-token';
const HOST = 'api.example.com';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:inbound-sms';
const NUMBER = '+14255556000';

let t: TestTable;
let twilio: ReturnType<typeof createTwilio>;
let sns: ReturnType<typeof createSns>;
let signing: ReturnType<typeof makeSigningCertificate>;
const fetched: string[] = [];

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.number(NUMBER, { type: 'seller', id: 'alice' }, 'twilio');
  twilio = createTwilio(t, { credentials: async () => ({ accountSid: 'AC1', authToken: TOKEN }), publicBaseUrl: undefined });
  signing = makeSigningCertificate();
  sns = createSns(t, {
    allowedTopicArns: [TOPIC],
    fetchText: async (url) => {
      fetched.push(url);
      if (url === TEST_CERT_URL) return signing.certificatePem;
      if (url.startsWith('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription')) return '<ConfirmSubscriptionResponse/>';
      throw new Error(`unexpected fetch ${url}`);
    },
  });
});

const twilioFields = (sid: string, body = 'Hi from Twilio') => ({
  MessageSid: sid, SmsSid: sid, AccountSid: 'AC1', MessagingServiceSid: '', From: '+14255556100', To: NUMBER, Body: body, NumMedia: '0', NumSegments: '1',
  FromCity: 'SEATTLE', FromState: 'WA', FromZip: '', FromCountry: 'US', ToCity: '', ToState: 'WA', ToZip: '', ToCountry: 'US', ApiVersion: '2010-04-01',
});

function postTwilio(path: string, form: { body: string; signature: string }) {
  return call(twilio, 'POST', path, { body: form.body, headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': form.signature } });
}

describe('Twilio inbound webhook', () => {
  const url = `https://${HOST}/callbacks/twilio/inbound`;

  it('stores a signed message and answers empty TwiML', async () => {
    const response = await postTwilio('/callbacks/twilio/inbound', signedTwilioForm(TOKEN, url, twilioFields('SM-ok-1')));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/xml');
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('answers a duplicate delivery 200 without a second message', async () => {
    const form = signedTwilioForm(TOKEN, url, twilioFields('SM-dup-1'));
    expect((await postTwilio('/callbacks/twilio/inbound', form)).status).toBe(200);
    expect((await postTwilio('/callbacks/twilio/inbound', form)).status).toBe(200);
  });

  it('answers 403 InvalidSignature to a changed body', async () => {
    const form = signedTwilioForm(TOKEN, url, twilioFields('SM-bad-1'));
    const tampered = { ...form, body: form.body.replace('Hi+from+Twilio', 'Send+money') };
    const response = await postTwilio('/callbacks/twilio/inbound', tampered);
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: { code: 'InvalidSignature', message: expect.any(String) } });
  });

  it('answers 403 InvalidSignature when signed for another URL', async () => {
    const form = signedTwilioForm(TOKEN, `https://${HOST}/callbacks/twilio/other`, twilioFields('SM-bad-2'));
    expect((await postTwilio('/callbacks/twilio/inbound', form)).status).toBe(403);
    const noSignature = await call(twilio, 'POST', '/callbacks/twilio/inbound', { body: form.body, headers: { host: HOST } });
    expect(noSignature.status).toBe(403);
  });

  it('answers 400 ValidationError to a signed form missing fields', async () => {
    const form = signedTwilioForm(TOKEN, url, { AccountSid: 'AC1', Body: 'no sid' });
    const response = await postTwilio('/callbacks/twilio/inbound', form);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ValidationError');
  });
});

describe('SNS HTTPS subscription', () => {
  const inboundMessage = (id: string) =>
    JSON.stringify({ originationNumber: '+14255556200', destinationNumber: NUMBER, messageKeyword: 'KEYWORD_1', messageBody: 'via SNS', inboundMessageId: id, previousPublishedMessageId: '' });
  const notification = (id: string, overrides: Record<string, string> = {}) =>
    signSns({ Type: 'Notification', MessageId: `m-${id}`, TopicArn: TOPIC, Message: inboundMessage(id), Timestamp: '2026-11-25T10:00:00.000Z', UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe', ...overrides }, signing.privateKeyPem);
  const post = (body: unknown) => call(sns, 'POST', '/callbacks/sns', { body: JSON.stringify(body), headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' } });

  it('verifies signature versions 1 and 2 and stores the inbound message', async () => {
    expect((await post(notification('sns-v2'))).body).toEqual({ kind: 'inbound', outcome: 'stored' });
    const v1 = signSns({ Type: 'Notification', MessageId: 'm-v1', TopicArn: TOPIC, Message: inboundMessage('sns-v1'), Timestamp: '2026-11-25T10:00:00.000Z' }, signing.privateKeyPem, '1');
    expect((await post(v1)).status).toBe(200);
    expect((await post(notification('sns-v2'))).body).toEqual({ kind: 'inbound', outcome: 'duplicate' });
  });

  it('answers 403 InvalidSignature to a bad signature', async () => {
    const signed = notification('sns-bad');
    const response = await post({ ...signed, Message: signed.Message.replace('via SNS', 'forged') });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('InvalidSignature');
  });

  it('never fetches a certificate from a host other than sns.<region>.amazonaws.com', async () => {
    fetched.length = 0;
    for (const certUrl of ['https://evil.example.com/cert.pem', 'http://sns.us-east-1.amazonaws.com/cert.pem', 'https://sns.us-east-1.amazonaws.com.evil.io/x.pem', 'https://sns.us-east-1.amazonaws.com:8443/x.pem']) {
      const response = await post(notification('sns-host', { SigningCertURL: certUrl }));
      expect(response.status, certUrl).toBe(403);
    }
    expect(fetched).toEqual([]);
  });

  it('confirms a subscription for a configured topic only', async () => {
    const confirmation = (topic: string) =>
      signSns({ Type: 'SubscriptionConfirmation', MessageId: 'c-1', Token: 'tok', TopicArn: topic, Message: 'You have chosen to subscribe', SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${topic}&Token=tok`, Timestamp: '2026-11-25T10:00:00.000Z' }, signing.privateKeyPem);
    fetched.length = 0;
    expect((await post(confirmation(TOPIC))).body).toEqual({ confirmed: true });
    expect(fetched.some((u) => u.includes('ConfirmSubscription'))).toBe(true);
    fetched.length = 0;
    const foreign = await post(confirmation('arn:aws:sns:us-east-1:999999999999:someone-else'));
    expect(foreign.status).toBe(403);
    expect(fetched.filter((u) => u.includes('ConfirmSubscription'))).toEqual([]);
  });
});

describe('no callback answers 5xx to any body (property-based)', () => {
  const targets = [
    { name: 'twilio inbound', handler: () => twilio, path: '/callbacks/twilio/inbound' },
    { name: 'twilio status', handler: () => twilio, path: '/callbacks/twilio/status' },
    { name: 'sns', handler: () => sns, path: '/callbacks/sns' },
  ];

  const bodies = fc.oneof(
    fc.string(),
    fc.json(),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
    fc.dictionary(fc.constantFrom('MessageSid', 'From', 'To', 'Body', 'AccountSid', 'MessageStatus', 'Type', 'Message'), fc.string()).map((o) => new URLSearchParams(o).toString()),
  );

  for (const target of targets) {
    it(`${target.name}: random and truncated bodies get a 4xx in the contract format`, async () => {
      const valid = signedTwilioForm(TOKEN, `https://${HOST}${target.path}`, twilioFields('SM-prop')).body;
      const snsValid = JSON.stringify(notification('prop'));
      await fc.assert(
        fc.asyncProperty(fc.oneof(bodies, fc.nat({ max: snsValid.length - 1 }).map((n) => snsValid.slice(0, n)), fc.nat({ max: valid.length - 1 }).map((n) => valid.slice(0, n))), async (body) => {
          const response = await call(target.handler(), 'POST', target.path, { body, headers: { host: HOST, 'x-twilio-signature': 'AAAA' } });
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(response.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
        }),
        { numRuns: 150 },
      );
    });
  }

  function notification(id: string) {
    return signSns({ Type: 'Notification', MessageId: `m-${id}`, TopicArn: TOPIC, Message: JSON.stringify({ originationNumber: '+14255556200', destinationNumber: NUMBER, messageBody: 'x', inboundMessageId: id }), Timestamp: '2026-11-25T10:00:00.000Z' }, signing.privateKeyPem);
  }

  it('signed but malformed SNS Messages answer 400, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.record({ originationNumber: fc.string(), destinationNumber: fc.string(), messageBody: fc.string(), inboundMessageId: fc.string() }).map((o) => JSON.stringify(o))), async (message) => {
        const signed = signSns({ Type: 'Notification', MessageId: 'm-x', TopicArn: TOPIC, Message: message, Timestamp: '2026-11-25T10:00:00.000Z' }, signing.privateKeyPem);
        const response = await call(sns, 'POST', '/callbacks/sns', { body: JSON.stringify(signed) });
        expect(response.status).toBeLessThan(500);
        if (response.status !== 200) expect(response.body.error.code).toBe('ValidationError');
      }),
      { numRuns: 60 },
    );
  });
});

describe('direct SNS → Lambda inbound', () => {
  it('throws on a malformed message so Lambda retries and then keeps it in the on-failure destination', async () => {
    const inbound = createInbound(t);
    const event = twoWaySnsEvent({ from: '+14255556300', to: NUMBER, body: 'x' });
    event.Records[0]!.Sns.Message = '{"not":"a two-way sms"}';
    await expect(inbound(event as never, lambdaContext)).rejects.toThrow();
    const spy = vi.fn();
    spy(await inbound(twoWaySnsEvent({ from: '+14255556300', to: NUMBER, body: 'fine' }) as never, lambdaContext));
    expect(spy).toHaveBeenCalledWith({ outcomes: ['stored'] });
  });
});
