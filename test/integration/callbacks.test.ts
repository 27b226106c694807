import { beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call } from '../helpers/api';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
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

/** What the table holds from a customer, read through the admin's seller API. */
async function storedBodiesFrom(customer: string): Promise<string[]> {
  const api = createSellerApi(t);
  const conversations = (await call(api, 'GET', '/me/conversations?limit=100', { as: admin })).body.items.filter((c: { customerNumber: string }) => c.customerNumber === customer);
  const bodies: string[] = [];
  for (const c of conversations) bodies.push(...(await call(api, 'GET', `/conversations/${c.id}/messages?limit=100`, { as: admin })).body.items.map((m: { body: string }) => m.body));
  return bodies;
}

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
    const form = signedTwilioForm(TOKEN, url, { ...twilioFields('SM-dup-1', 'once only'), From: '+14255556101' });
    expect((await postTwilio('/callbacks/twilio/inbound', form)).status).toBe(200);
    expect((await postTwilio('/callbacks/twilio/inbound', form)).status).toBe(200);
    expect(await storedBodiesFrom('+14255556101')).toEqual(['once only']);
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
    signSns({ Type: 'Notification', MessageId: `m-${id}`, TopicArn: TOPIC, Message: inboundMessage(id), Timestamp: t.clock.now().toISOString(), UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe', ...overrides }, signing.privateKeyPem);
  const post = (body: unknown) => call(sns, 'POST', '/callbacks/sns', { body: JSON.stringify(body), headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' } });

  it('verifies signature version 2 and stores the inbound message; a repeat is a duplicate', async () => {
    expect((await post(notification('sns-v2'))).body).toEqual({ kind: 'inbound', outcome: 'stored' });
    expect((await post(notification('sns-v2'))).body).toEqual({ kind: 'inbound', outcome: 'duplicate' });
  });

  it('refuses SignatureVersion 1 (SHA1), even correctly signed, and stores nothing', async () => {
    const v1 = signSns({ Type: 'Notification', MessageId: 'm-v1', TopicArn: TOPIC, Message: inboundMessage('sns-v1'), Timestamp: t.clock.now().toISOString() }, signing.privateKeyPem, '1');
    const response = await post(v1);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('InvalidSignature');
    // The same message signed with version 2 is new: the refused one left nothing behind.
    expect((await post(notification('sns-v1'))).body).toEqual({ kind: 'inbound', outcome: 'stored' });
  });

  it('refuses a correctly signed message more than 1 hour old or from the future (a replay), storing nothing', async () => {
    for (const [id, at] of [['sns-old', t.clock.now().getTime() - 61 * 60_000], ['sns-future', t.clock.now().getTime() + 10 * 60_000]] as const) {
      const response = await post(notification(id, { Timestamp: new Date(at).toISOString() }));
      expect(response.status, id).toBe(403);
      expect(response.body.error.code).toBe('InvalidSignature');
      expect((await post(notification(id))).body, id).toEqual({ kind: 'inbound', outcome: 'stored' });
    }
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
      signSns({ Type: 'SubscriptionConfirmation', MessageId: 'c-1', Token: 'tok', TopicArn: topic, Message: 'You have chosen to subscribe', SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${topic}&Token=tok`, Timestamp: t.clock.now().toISOString() }, signing.privateKeyPem);
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
    it(`${target.name}: unsigned random and truncated bodies get a 4xx in the contract format`, async () => {
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

  it.each(['/callbacks/twilio/inbound', '/callbacks/twilio/status'])('%s: correctly signed random, partial and odd field sets get 2xx or a 4xx in the contract format', async (path) => {
    const fieldNames = fc.constantFrom('MessageSid', 'SmsSid', 'AccountSid', 'From', 'To', 'Body', 'NumMedia', 'NumSegments', 'MessageStatus', 'SmsStatus', 'ErrorCode', 'ErrorMessage', 'MediaUrl0', 'MediaContentType0', 'ApiVersion', 'RawDlrDoneDate');
    const values = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', '+14255556100', NUMBER, 'delivered', 'failed', 'undelivered', 'sent', '30003', '-1', '99999999999', 'SM-fuzz', '%', '\u0000'));
    const fields = fc.oneof(
      fc.dictionary(fc.oneof(fieldNames, fc.string({ minLength: 1, maxLength: 12 })), values, { maxKeys: 12 }),
      fc.record({ MessageSid: fc.string({ maxLength: 40 }), From: values, To: values, Body: fc.string({ maxLength: 200 }), MessageStatus: values, ErrorCode: values }, { requiredKeys: [] }),
      fc.nat({ max: 19 }).map((n) => Object.fromEntries(Object.entries(twilioFields(`SM-trunc-${n}`)).slice(0, n))),
      // Mostly well-formed: real field names with plausible and odd values, any of them missing.
      fc.record(
        {
          MessageSid: fc.oneof(fc.constantFrom('SM-fuzz-1', 'SM-dup-1'), fc.string({ minLength: 1, maxLength: 70 })),
          AccountSid: fc.constantFrom('AC1', '', 'AC'.repeat(40)),
          MessageStatus: fc.oneof(fc.constantFrom('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'canceled', 'DELIVERED', ''), fc.string({ maxLength: 40 })),
          ErrorCode: fc.oneof(fc.constantFrom('30003', '30005', '30007', '21610', '', '0'), fc.string({ maxLength: 20 })),
          ErrorMessage: fc.string({ maxLength: 60 }),
          From: fc.constantFrom('+14255556100', NUMBER, '425 555 6100', 'abc', ''),
          To: fc.constantFrom('+14255556100', NUMBER, '', 'x'),
          Body: fc.string({ maxLength: 100 }),
          NumMedia: fc.constantFrom('0', '1', '10', '11', '-1', 'x'),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fields, async (form) => {
        const signed = signedTwilioForm(TOKEN, `https://${HOST}${path}`, form as Record<string, string>);
        const response = await postTwilio(path, signed);
        expect(response.status, `${signed.body} → ${JSON.stringify(response.body)}`).toBeLessThan(500);
        if (response.status >= 400) expect(response.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
        else expect(response.status).toBe(200);
      }),
      { numRuns: 150 },
    );
  });

  function notification(id: string) {
    return signSns({ Type: 'Notification', MessageId: `m-${id}`, TopicArn: TOPIC, Message: JSON.stringify({ originationNumber: '+14255556200', destinationNumber: NUMBER, messageBody: 'x', inboundMessageId: id }), Timestamp: t.clock.now().toISOString() }, signing.privateKeyPem);
  }

  it('signed but malformed SNS Messages answer 400, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.record({ originationNumber: fc.string(), destinationNumber: fc.string(), messageBody: fc.string(), inboundMessageId: fc.string() }).map((o) => JSON.stringify(o))), async (message) => {
        const signed = signSns({ Type: 'Notification', MessageId: 'm-x', TopicArn: TOPIC, Message: message, Timestamp: t.clock.now().toISOString() }, signing.privateKeyPem);
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
