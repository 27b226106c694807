import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { admin, call, type Identity } from '../helpers/api';
import { signedTwilioForm } from '../helpers/signing';
import { createHandler as createTwilio } from '../../functions/twilio-callbacks/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createMediaCopier } from '../../functions/media-copier/handler';
import { tableStreamReaders } from '../../scripts/local/stream-readers';
import { FileMediaStore } from '../../scripts/local/file-media-store';
import { MAX_MEDIA_BYTES } from '../../shared/domain/media';

/** MMS (contract, "MMS"): files stored pending with the message, copied by the stream-driven copier. */
const TOKEN = 'test-twilio-token';
const HOST = 'api.example.com';
const NUMBER = '+14255586000';
const CUSTOMER = '+14255586100';
const as = (sub: string): Identity => ({ sub });

/** A real 1×1 PNG, built here. */
function png(): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const byte of buf) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc(body));
    return Buffer.concat([head, body, tail]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))), chunk('IEND', Buffer.alloc(0))]);
}

const PNG = png();
let t: TestTable;
let server: Server;
let base: string;
let mediaDir: string;
let store: FileMediaStore;
let twilio: ReturnType<typeof createTwilio>;
let api: ReturnType<typeof createSellerApi>;
let poller: ReturnType<typeof tableStreamReaders>;
const hits = new Map<string, number>();
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>alert(1)</script></svg>';
const sns = mockClient(SNSClient);

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/photo.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (path === '/redirect') return res.writeHead(307, { location: '/photo.png' }).end();
    if (path === '/drawing.svg') return res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG);
    if (path.startsWith('/to/')) return res.writeHead(302, { location: decodeURIComponent(path.slice('/to/'.length)) }).end();
    if (path === '/private.png') {
      if (req.headers.authorization !== `Basic ${Buffer.from('AC1:secret').toString('base64')}`) return res.writeHead(401).end();
      return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    }
    if (path === '/slow') return void setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG), 1500);
    if (path === '/huge') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.alloc(MAX_MEDIA_BYTES + 1));
    return res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mediaDir = await mkdtemp(join(tmpdir(), 'mms-test-'));
  store = new FileMediaStore(mediaDir);

  t = await freshTable();
  sns.on(PublishCommand).resolves({ MessageId: 'x' });
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.seller('mallory');
  await org.number(NUMBER, { type: 'seller', id: 'alice' }, 'twilio');
  await org.team('viewers');
  await org.seller('viewer', { roles: [], teamIds: ['viewers'] });
  await org.record('contact', 'ada', { mobile: CUSTOMER, ownerId: 'alice', owningTeamId: 'viewers' });
  twilio = createTwilio(t, { credentials: async () => ({ accountSid: 'AC1', authToken: TOKEN }), publicBaseUrl: undefined });
  api = createSellerApi(t, undefined, () => store);
  const copier = createMediaCopier({
    ...t,
    media: store,
    fetch: { timeoutMs: 500, allowedHosts: ['127.0.0.1'], allowInsecure: true, credentialsFor: async () => ({ user: 'AC1', password: 'secret' }) },
    retryDelaysMs: [10, 10],
  });
  const notifier = testNotifier(t);
  // As deployed: the notifier reads the stream, the dispatcher hands new messages with files to the copier, each through its filter.
  poller = tableStreamReaders(t.endpoint, t.table, { notifier, 'media-copier': copier });
});

afterAll(async () => {
  await poller.stop();
  await new Promise((resolve) => server.close(resolve));
  await rm(mediaDir, { recursive: true, force: true });
  sns.restore();
});

const url = `https://${HOST}/callbacks/twilio/inbound`;
function mms(sid: string, media: { path: string; type: string }[], body = '') {
  const fields: Record<string, string> = { MessageSid: sid, AccountSid: 'AC1', From: CUSTOMER, To: NUMBER, Body: body, NumMedia: String(media.length) };
  media.forEach((m, i) => {
    fields[`MediaUrl${i}`] = `${base}${m.path}`;
    fields[`MediaContentType${i}`] = m.type;
  });
  const form = signedTwilioForm(TOKEN, url, fields);
  return call(twilio, 'POST', '/callbacks/twilio/inbound', { body: form.body, headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': form.signature } });
}

type PublicMessage = { id: string; conversationId: string; body?: string; media?: { id: string; contentType: string; status: string; size?: number; reason?: { code: string } }[] };
async function messageBySid(sid: string): Promise<PublicMessage> {
  const [conversation] = (await call(api, 'GET', '/records/contact/ada/conversations', { as: admin })).body.items;
  const items = (await call(api, 'GET', `/conversations/${conversation.id}/messages?limit=100`, { as: admin })).body.items as (PublicMessage & { providerMessageId: string })[];
  return items.find((m) => m.providerMessageId === sid)!;
}
const download = (m: PublicMessage, mediaId: string, who: Identity = as('alice')) => call(api, 'GET', `/conversations/${m.conversationId}/messages/${m.id}/media/${mediaId}`, { as: who });

describe('an inbound MMS', () => {
  it('is stored at once with its files pending, even with no text; the preview says [image]', async () => {
    const answer = await mms('MM-photo', [{ path: '/photo.png', type: 'image/png' }]);
    expect(answer.status).toBe(200);
    const message = await messageBySid('MM-photo');
    expect(message.body).toBe('');
    expect(message.media).toEqual([{ id: expect.any(String), contentType: 'image/png', status: 'pending' }]);
    const [conversation] = (await call(api, 'GET', '/me/conversations', { as: as('alice') })).body.items;
    expect(conversation.lastMessagePreview).toBe('[image]');
    expect((await download(message, message.media![0]!.id)).status).toBe(404);
  });

  it('the copier stores the file, with its size; the download gives the same bytes; notifications preview [image]', async () => {
    await poller.drain(500);
    const message = await messageBySid('MM-photo');
    expect(message.media).toEqual([{ id: expect.any(String), contentType: 'image/png', status: 'stored', size: PNG.length }]);
    const file = await download(message, message.media![0]!.id);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(Buffer.from(file.body as unknown as string, 'base64').equals(PNG)).toBe(true);
    const [notification] = (await call(api, 'GET', '/me/notifications', { as: as('alice') })).body.items;
    expect(notification.preview).toBe('[image]');
  });

  it('follows the provider\'s redirect, sends the account\'s credentials where required, and keeps text with its files', async () => {
    await mms('MM-mixed', [{ path: '/redirect', type: 'image/png' }, { path: '/private.png', type: 'image/png' }], 'Signed form attached');
    await poller.drain(500);
    const message = await messageBySid('MM-mixed');
    expect(message.body).toBe('Signed form attached');
    expect(message.media!.map((m) => [m.status, m.size])).toEqual([['stored', PNG.length], ['stored', PNG.length]]);
  });

  it('a file that keeps answering 404 fails after the retries; a slow one times out; one too large fails at once; the message stays', async () => {
    hits.clear();
    await mms('MM-bad', [{ path: '/missing.jpg', type: 'image/jpeg' }, { path: '/slow', type: 'image/png' }, { path: '/huge', type: 'image/jpeg' }], 'see attached');
    await poller.drain(500);
    const message = await messageBySid('MM-bad');
    expect(message.body).toBe('see attached');
    expect(message.media!.map((m) => [m.status, m.reason?.code])).toEqual([['failed', 'MediaNotFound'], ['failed', 'MediaTimeout'], ['failed', 'MediaTooLarge']]);
    expect(hits.get('/missing.jpg')).toBe(3);
    expect(hits.get('/slow')).toBe(3);
    expect(hits.get('/huge')).toBe(1);
    expect((await download(message, message.media![0]!.id)).status).toBe(404);
  });

  it('the same MessageSid twice stores one message and copies each file once; a stream re-run copies nothing again', async () => {
    hits.clear();
    await mms('MM-twice', [{ path: '/photo.png', type: 'image/png' }]);
    await mms('MM-twice', [{ path: '/photo.png', type: 'image/png' }]);
    await poller.drain(500);
    expect(hits.get('/photo.png')).toBe(1);
    // A fresh poller reads the whole stream again from its start, as a retried batch would.
    const copier = createMediaCopier({ ...t, media: store, fetch: { timeoutMs: 500, allowedHosts: ['127.0.0.1'], allowInsecure: true }, retryDelaysMs: [] });
    const again = tableStreamReaders(t.endpoint, t.table, { 'media-copier': copier });
    await again.drain(500);
    await again.stop();
    expect(hits.get('/photo.png')).toBe(1);
    const [conversation] = (await call(api, 'GET', '/records/contact/ada/conversations', { as: admin })).body.items;
    const sids = (await call(api, 'GET', `/conversations/${conversation.id}/messages?limit=100`, { as: admin })).body.items.map((m: { providerMessageId: string }) => m.providerMessageId);
    expect(sids.filter((sid: string) => sid === 'MM-twice')).toHaveLength(1);
  });

  it('refuses a form whose media fields do not add up, or media from a host that is not the provider\'s', async () => {
    const fields = { MessageSid: 'MM-broken', AccountSid: 'AC1', From: CUSTOMER, To: NUMBER, Body: '', NumMedia: '2', MediaUrl0: `${base}/photo.png`, MediaContentType0: 'image/png' };
    const form = signedTwilioForm(TOKEN, url, fields);
    const answer = await call(twilio, 'POST', '/callbacks/twilio/inbound', { body: form.body, headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': form.signature } });
    expect(answer.status).toBe(400);
    const { fetchMedia } = await import('../../shared/media/fetch-media');
    await expect(fetchMedia('https://169.254.169.254/latest/meta-data', { timeoutMs: 500, allowedHosts: ['api.twilio.com'] })).rejects.toMatchObject({ code: 'MediaUrlRefused' });
    await expect(fetchMedia('https://evil.example.com/x.png', { timeoutMs: 500, allowedHosts: ['api.twilio.com'] })).rejects.toMatchObject({ code: 'MediaUrlRefused' });
  });

  it('resolves every hop\'s name and refuses private, loopback, link-local and IPv4-mapped addresses before connecting', async () => {
    const { fetchMedia } = await import('../../shared/media/fetch-media');
    const dns: Record<string, string> = {
      'media.example': '127.0.0.1', 'localhost.': '127.0.0.1', 'foo.localhost': '127.0.0.1', 'metadata.example': '169.254.169.254',
      'mapped.example': '::ffff:127.0.0.1', 'mapped-hex.example': '::ffff:a9fe:a9fe', 'internal.example': '10.0.0.7', 'ula.example': 'fd00::1',
    };
    const resolve = async (hostname: string) => {
      const address = dns[hostname];
      if (!address) throw Object.assign(new Error(`no test DNS entry for ${hostname}`), { code: 'ENOTFOUND' });
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    };
    // As deployed (https only, no private address): a name of an allowed host that resolves inward is refused at connect time.
    for (const host of Object.keys(dns)) {
      await expect(fetchMedia(`https://${host}/photo.png`, { timeoutMs: 2000, allowedHosts: Object.keys(dns), resolve }), host).rejects.toMatchObject({ code: 'MediaUrlRefused' });
    }
    // An allowed host (here this machine's test server, which the local stack may use) that redirects to a private address.
    const port = new URL(base).port;
    const local = { timeoutMs: 2000, allowedHosts: ['media.example'], allowInsecure: true, resolve };
    expect((await fetchMedia(`http://media.example:${port}/photo.png`, local)).bytes.length).toBe(PNG.length);
    for (const target of [`http://internal.example:${port}/photo.png`, `http://metadata.example:${port}/latest/meta-data`, `http://mapped-hex.example:${port}/x`, `http://ula.example:${port}/x`]) {
      await expect(fetchMedia(`http://media.example:${port}/to/${encodeURIComponent(target)}`, local), target).rejects.toMatchObject({ code: 'MediaUrlRefused' });
    }
  });
});

describe('a name that resolves to several addresses', () => {
  it('is refused when any of them is private, whichever comes first', async () => {
    const { fetchMedia } = await import('../../shared/media/fetch-media');
    for (const addresses of [['203.0.113.10', '10.0.0.7'], ['10.0.0.7', '203.0.113.10'], ['203.0.113.10', '169.254.169.254']]) {
      const resolve = async () => addresses.map((address) => ({ address, family: 4 }));
      await expect(fetchMedia('https://split.example/photo.png', { timeoutMs: 2000, allowedHosts: ['split.example'], resolve }), addresses.join(' ')).rejects.toMatchObject({ code: 'MediaUrlRefused' });
    }
  });
});

describe('what a download is served as', () => {
  it('every file as an attachment under a sandboxing CSP; an SVG (it can run script) as opaque bytes, a photo as itself', async () => {
    expect((await mms('MM-svg', [{ path: '/drawing.svg', type: 'image/svg+xml' }, { path: '/photo.png', type: 'image/png' }])).status).toBe(200);
    await poller.drain();
    const message = await messageBySid('MM-svg');
    expect(message.media!.map((m) => m.status)).toEqual(['stored', 'stored']);
    const svg = await download(message, message.media![0]!.id);
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toBe('application/octet-stream');
    expect(svg.headers['content-disposition']).toBe('attachment');
    expect(svg.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    const png = await download(message, message.media![1]!.id);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-disposition']).toBe('attachment');
  });
});

describe('who may download a file', () => {
  it('the owner and admins; a seller without the salesperson role gets 404 (as for the body); a stranger 404', async () => {
    const message = await messageBySid('MM-photo');
    const mediaId = message.media![0]!.id;
    expect((await download(message, mediaId, admin)).status).toBe(200);
    // The role-less team member sees the conversation, without its text, and not its files.
    expect((await call(api, 'GET', `/conversations/${message.conversationId}`, { as: as('viewer') })).status).toBe(200);
    expect((await download(message, mediaId, as('viewer'))).status).toBe(404);
    expect((await download(message, mediaId, as('mallory'))).status).toBe(404);
    expect((await download(message, 'nope', as('alice'))).status).toBe(404);
    expect((await call(api, 'GET', `/conversations/${message.conversationId}/messages/01ZZZZZZZZZZZZZZZZZZZZZZZZ/media/${mediaId}`, { as: as('alice') })).status).toBe(404);
  });
});
