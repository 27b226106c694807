import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { mockClient } from 'aws-sdk-client-mock';
import { PinpointSMSVoiceV2Client, SendMediaMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, type Identity } from '../helpers/api';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { FileMediaStore } from '../../scripts/local/file-media-store';
import { SAMPLE_PHOTO } from '../../scripts/local/server';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { TwilioProvider } from '../../shared/providers/twilio';
import { EndUserMessagingProvider } from '../../shared/providers/end-user-messaging';
import { CursorCodec } from '../../shared/http/cursor';
import { deleteMediaOf } from '../../shared/flows/erase-customer';
import type { SmsProvider } from '../../shared/providers/sms-provider';
import type { ProviderName } from '../../shared/domain/types';
import { getMessage } from '../../shared/store/items/message';
import { keys } from '../../shared/store/keys';
import { crmEventsOf } from '../../shared/flows/crm-events';

/** Outbound MMS (contract, "MMS"): upload, send through each provider, refusals, and what erasure removes. */
const N = { sandbox: '+14255591001', twilio: '+14255591002', eum: '+14255591003', pinpoint: '+14255591004' };
const ADA = '+14255591050';
/** A one-pixel PNG: the local stack's sample photo. */
const PNG = SAMPLE_PHOTO;
const as = (sub: string): Identity => ({ sub });

/** The local store, whose files a provider can also fetch over HTTP (as Twilio fetches a presigned S3 URL). */
class ServedStore extends FileMediaStore {
  served = '';
  override async fetchUrl(key: string) {
    return `${this.served}/files/${key}`;
  }
  override s3Uri(key: string) {
    return `s3://test-media-bucket/${key}`;
  }
}

let t: TestTable;
let dir: string;
let store: ServedStore;
let server: Server;
let outbound: ReturnType<typeof createOutbound>;
let sellerApi: ReturnType<typeof createSellerApi>;
const sandbox = new SandboxProvider();
const eumMock = mockClient(PinpointSMSVoiceV2Client);
/** What the Twilio stand-in received, and the bytes it fetched from each MediaUrl. */
const twilioSends: { form: URLSearchParams; fetched: Buffer[] }[] = [];

beforeAll(async () => {
  t = await freshTable();
  dir = await mkdtemp(join(tmpdir(), 'outbound-mms-'));
  store = new ServedStore(dir);
  // One server: the files (for MediaUrl) and Twilio's Messages.json, which fetches each MediaUrl as Twilio does.
  server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url?.startsWith('/files/')) {
        const file = await store.get(req.url.slice('/files/'.length));
        return file ? res.writeHead(200, { 'content-type': file.contentType }).end(Buffer.from(file.bytes)) : res.writeHead(404).end();
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const fetched = await Promise.all(form.getAll('MediaUrl').map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer())));
      twilioSends.push({ form, fetched });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${twilioSends.length}`, status: 'queued' }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  store.served = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const twilio = new TwilioProvider({ baseUrl: store.served, credentials: async () => ({ accountSid: 'ACtest', authToken: 'token' }), timeoutMs: 5_000 });
  const eum = new EndUserMessagingProvider(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }), 'sms-crm');
  const providers = (name: ProviderName): SmsProvider => (name === 'twilio' ? twilio : name === 'eum' ? eum : name === 'sandbox' ? sandbox : ({ name: 'pinpoint', send: async () => ({ outcome: 'sent', providerMessageId: 'never' }) } as SmsProvider));
  outbound = createOutbound(t, providers, () => store);
  sellerApi = createSellerApi(t, new CursorCodec(async () => 'k'), () => store);
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.seller('bob');
  await org.seller('carl', { roles: [] });
  for (const [provider, number] of Object.entries(N)) await org.number(number, { type: 'seller', id: 'alice' }, provider);
  await org.record('contact', 'ada', { mobile: ADA, ownerId: 'alice' });
  await org.record('contact', 'sven', { mobile: '+46701234567', ownerId: 'alice' });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** POST /media, then the browser's upload to the URL it answered (the local stack's signed PUT). */
async function upload(seller: string, bytes: Buffer, contentType = 'image/png', declaredSize = bytes.length) {
  const created = await call(outbound, 'POST', '/media', { as: as(seller), body: { contentType, size: declaredSize } });
  expect(created.status).toBe(201);
  const target = created.body.upload as { url: string; method: string; headers: Record<string, string> };
  const accepted = await store.acceptUpload(target.url.split('/local/uploads/')[1]!, target.headers['content-type'], bytes);
  return { mediaId: created.body.mediaId as string, accepted: accepted.status };
}

const send = (from: string, media: string[], body?: string, record = 'ada') => call(outbound, 'POST', '/messages', { as: as('alice'), body: { record: { type: 'contact', id: record }, from, media, ...(body !== undefined ? { body } : {}) } });

describe('POST /media', () => {
  it('answers an upload of that type and size, valid at most 15 minutes', async () => {
    const created = await call(outbound, 'POST', '/media', { as: as('alice'), body: { contentType: 'image/jpeg', size: 1234 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mediaId: expect.any(String), upload: { url: expect.stringContaining('/local/uploads/'), method: 'PUT', headers: { 'content-type': 'image/jpeg' } } });
    expect(Date.parse(created.body.expiresAt) - t.clock.now().getTime()).toBeLessThanOrEqual(15 * 60 * 1000);
  });

  it('refuses other types, sizes beyond 5 MB or none, and sellers without the salesperson role', async () => {
    for (const body of [{ contentType: 'image/svg+xml', size: 10 }, { contentType: 'text/html', size: 10 }, { contentType: 'image/png', size: 5 * 1024 * 1024 + 1 }, { contentType: 'image/png', size: 0 }, { contentType: 'image/png' }]) {
      const refused = await call(outbound, 'POST', '/media', { as: as('alice'), body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('ValidationError');
    }
    expect((await call(outbound, 'POST', '/media', { as: as('carl'), body: { contentType: 'image/png', size: 10 } })).status).toBe(403);
  });

  it('the upload URL takes exactly the declared type and size', async () => {
    const created = await call(outbound, 'POST', '/media', { as: as('alice'), body: { contentType: 'image/png', size: PNG.length } });
    const token = (created.body.upload.url as string).split('/local/uploads/')[1]!;
    expect((await store.acceptUpload(token, 'image/png', Buffer.concat([PNG, PNG]))).status).toBe(400);
    expect((await store.acceptUpload(token, 'text/html', PNG)).status).toBe(403);
    expect((await store.acceptUpload(`${token}x`, 'image/png', PNG)).status).toBe(403);
    expect((await store.acceptUpload(token, 'image/png', PNG)).status).toBe(204);
  });
});

describe('sending a photo', () => {
  it('through the sandbox: stored with the message, shown and downloaded as inbound files are, body optional', async () => {
    const { mediaId } = await upload('alice', PNG);
    const sent = await send(N.sandbox, [mediaId]);
    expect(sent.status).toBe(202);
    expect(sent.body.media).toEqual([{ id: mediaId, contentType: 'image/png', status: 'stored', size: PNG.length }]);
    expect(sandbox.outbox.at(-1)!.media).toEqual([{ id: mediaId, contentType: 'image/png', size: PNG.length }]);
    const conversation = await call(sellerApi, 'GET', `/conversations/${sent.body.conversationId}`, { as: as('alice') });
    expect(conversation.body.lastMessagePreview).toBe('[image]');
    // The CRM hears of it with its files, as of an inbound MMS.
    const item = (await getMessage(t.db, t.table, keys.message(sent.body.conversationId, sent.body.createdAt, sent.body.id)))!;
    const events = await crmEventsOf(t, { eventName: 'MODIFY', oldImage: { ...item, status: 'queued' }, newImage: item });
    expect(events.find((e) => e.detailType === 'SmsMessageSent')?.detail).toMatchObject({ message: { media: [{ id: mediaId, contentType: 'image/png' }] } });
    const file = await call(sellerApi, 'GET', `/conversations/${sent.body.conversationId}/messages/${sent.body.id}/media/${mediaId}`, { as: as('alice') });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(Buffer.from(file.body as string, 'base64').equals(PNG)).toBe(true);
  });

  it('through Twilio: MediaUrl is a URL of the file, which Twilio fetches', async () => {
    const { mediaId } = await upload('alice', PNG);
    const sent = await send(N.twilio, [mediaId], 'Here is the quote');
    expect(sent.status).toBe(202);
    const received = twilioSends.at(-1)!;
    expect(received.form.getAll('MediaUrl')).toHaveLength(1);
    expect(received.fetched[0]!.equals(PNG)).toBe(true);
    expect(received.form.get('Body')).toBe('Here is the quote');
  });

  it('through End User Messaging: SendMediaMessage names the file in the media bucket', async () => {
    eumMock.on(SendMediaMessageCommand).resolves({ MessageId: 'eum-mms-1' });
    const { mediaId } = await upload('alice', PNG);
    const sent = await send(N.eum, [mediaId], 'Signed form attached');
    expect(sent.status).toBe(202);
    const input = eumMock.commandCalls(SendMediaMessageCommand).at(-1)!.args[0].input;
    expect(input).toMatchObject({ DestinationPhoneNumber: ADA, OriginationIdentity: N.eum, MessageBody: 'Signed form attached', MediaUrls: [`s3://test-media-bucket/media/out/${sent.body.id}/${mediaId}`], ConfigurationSetName: 'sms-crm' });
  });
});

describe('refused before anything is stored or sent', () => {
  const messagesNow = async () => (await call(sellerApi, 'GET', '/me/conversations', { as: as('alice') })).body.items.map((c: { lastMessageAt: string }) => c.lastMessageAt).join();

  it('Pinpoint carries no MMS, End User Messaging one file, neither to Sweden: 400 InvalidSendingParameters', async () => {
    const one = await upload('alice', PNG);
    const two = await upload('alice', PNG);
    const before = await messagesNow();
    for (const [from, media, record] of [[N.pinpoint, [one.mediaId], 'ada'], [N.eum, [one.mediaId, two.mediaId], 'ada'], [N.twilio, [one.mediaId], 'sven']] as const) {
      const refused = await send(from, [...media], 'x', record);
      expect(refused.status, from).toBe(400);
      expect(refused.body.error.code).toBe('InvalidSendingParameters');
    }
    expect(await messagesNow()).toBe(before);
  });

  it('another seller\'s upload, a missing file, more than 10, a file that is not what it was declared: 400 ValidationError', async () => {
    const bobs = await upload('bob', PNG);
    const created = await call(outbound, 'POST', '/media', { as: as('alice'), body: { contentType: 'image/png', size: PNG.length } });
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const disguised = await upload('alice', Buffer.concat([html]), 'image/png');
    const before = await messagesNow();
    for (const media of [[bobs.mediaId], [created.body.mediaId as string], Array.from({ length: 11 }, (_, i) => `m${i}`), [disguised.mediaId], ['no-such-upload']]) {
      const refused = await send(N.sandbox, media, 'x');
      expect(refused.status, JSON.stringify(media)).toBe(400);
      expect(refused.body.error.code).toBe('ValidationError');
    }
    expect(await messagesNow()).toBe(before);
  });

  it('a file over the provider\'s own limit: End User Messaging takes images up to 2 MB', async () => {
    const large = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    const { mediaId } = await upload('alice', large);
    const refused = await send(N.eum, [mediaId], 'x');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('ValidationError');
    // Twilio takes 5 MB: the same file goes.
    expect((await send(N.twilio, [mediaId], 'x')).status).toBe(202);
  });
});

describe('an upload serves one send, and only the bytes that are sent are checked', () => {
  // The local store keeps each file's type beside it (`.type`): count the files themselves.
  const outFiles = async () => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && !e.name.endsWith('.type') && join(e.parentPath, e.name).includes(join('media', 'out'))).length;

  it('once a message holds its copy, the upload is gone: sending it again answers 400 and its bytes are deleted', async () => {
    const { mediaId } = await upload('alice', PNG);
    expect((await send(N.sandbox, [mediaId], 'first')).status).toBe(202);
    expect(await store.get(`uploads/${mediaId}`)).toBeUndefined();
    const again = await send(N.sandbox, [mediaId], 'second');
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('ValidationError');
  });

  it('a file replaced after the upload was checked is caught on the copy that would be sent; the copy is deleted', async () => {
    const { mediaId } = await upload('alice', PNG);
    const copies = await outFiles();
    // The browser uploads again to the same URL between the check of the upload and the copy.
    const copy = store.copy.bind(store);
    store.copy = async (from, to, contentType) => {
      await store.put(from, Buffer.from('<html><script>alert(1)</script></html>'), contentType);
      return copy(from, to, contentType);
    };
    try {
      const refused = await send(N.sandbox, [mediaId], 'swapped');
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/not the image\/png it was declared as/);
    } finally {
      store.copy = copy;
    }
    expect(await outFiles()).toBe(copies);
  });

  it('a message that is not stored leaves no copy behind (two sends with one Idempotency-Key: one message, one copy)', async () => {
    const { mediaId } = await upload('alice', PNG);
    const copies = await outFiles();
    const key = `mms-race-${Date.now()}`;
    const body = { record: { type: 'contact', id: 'ada' }, from: N.sandbox, media: [mediaId], body: 'once' };
    const answers = await Promise.all([0, 1].map(() => call(outbound, 'POST', '/messages', { as: as('alice'), body, headers: { 'idempotency-key': key } })));
    const ids = new Set(answers.filter((a) => a.status === 202).map((a) => a.body.id as string));
    expect(ids.size).toBe(1);
    expect(await outFiles()).toBe(copies + 1);
  });
});

describe('erasure', () => {
  it('removes the files a seller sent to the customer', async () => {
    const { mediaId } = await upload('alice', PNG);
    const sent = await send(N.sandbox, [mediaId]);
    const key = `media/out/${sent.body.id}/${mediaId}`;
    expect(await store.get(key)).toBeDefined();
    const privacy = createPrivacy(t, new CursorCodec(async () => 'k'), { hashKey: async () => 'k', deleteMedia: deleteMediaOf(store) });
    expect((await call(privacy, 'DELETE', `/customers/${encodeURIComponent(ADA)}`, { as: admin })).status).toBe(200);
    expect(await store.get(key)).toBeUndefined();
  });
});
