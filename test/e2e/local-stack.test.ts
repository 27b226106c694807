import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/local/dynamodb-local';
import { createApiClient } from '../../shared/client';
import { contractFetch } from '../helpers/openapi-contract';

/**
 * Starts `npm start` as a user would and walks the README's walkthrough against it.
 */
let child: ChildProcess;
let output = '';
let base = '';
let exitCode: number | null = null;

function waitFor(pattern: RegExp, ms = 90_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`)), ms);
    const check = () => {
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      } else if (exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`npm start exited ${exitCode}:\n${output}`));
      } else setTimeout(check, 100);
    };
    check();
  });
}

/** The local-only routes (token, emulated SNS, sandbox), which the OpenAPI document leaves out. */
async function local(method: string, path: string, options: { body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The generated client, as a seller holding `token`; every answer is checked against docs/openapi.json. */
const as = (token?: string) => createApiClient(base, { token: () => token, fetch: contractFetch });

async function eventually<T>(probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const processesInGroup = (pgid: number) =>
  spawnSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, group]) => group === pgid && pid !== undefined);

beforeAll(async () => {
  const port = await freePort();
  child = spawn('npm', ['start', '--', '--port', String(port), '--seed'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: undefined, SCHEDULE_MIN_LEAD_SECONDS: '2' } });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.on('exit', (code) => (exitCode = code ?? -1));
  base = (await waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  await waitFor(/Press Ctrl-C to stop/);
}, 120_000);

afterAll(() => {
  if (exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
});

describe('npm start: the README walkthrough', () => {
  it('walks token → Twilio reply → SNS inbound → sandbox send → delivery report → notification', async () => {
    const alice = (await local('POST', '/local/token', { body: { sub: 'alice' } })).body.token as string;
    const bob = (await local('POST', '/local/token', { body: { sub: 'bob' } })).body.token as string;
    expect(alice).toMatch(/^ey/);
    expect((await as().GET('/me/conversations')).response.status).toBe(401);
    // The sign-in's refresh token renews the access token at the stand-in of Cognito's token endpoint, until revoked.
    const { refreshToken } = (await local('POST', '/local/token', { body: { sub: 'alice' } })).body as { refreshToken: string };
    const form = (fields: Record<string, string>) => fetch(`${base}/local/oauth2/${fields.token ? 'revoke' : 'token'}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    const renewed = (await (await form({ grant_type: 'refresh_token', refresh_token: refreshToken })).json()) as { access_token: string };
    expect((await as(renewed.access_token).GET('/me/conversations')).response.status).toBe(200);
    expect((await form({ token: refreshToken })).status).toBe(200);
    expect((await form({ grant_type: 'refresh_token', refresh_token: refreshToken })).status).toBe(400);

    // A Twilio-signed inbound reply to Bob's number, posted by the README's helper script.
    const twilio = spawnSync('npx', ['tsx', 'scripts/local/twilio-inbound.ts', '--base', base, '--from', '+14255550123', '--to', '+14255550102', '--body', 'Hi Bob, it is Ada'], { encoding: 'utf8' });
    expect(twilio.stdout).toContain('200 <?xml version="1.0" encoding="UTF-8"?><Response/>');
    const bobs = await as(bob).GET('/me/conversations');
    expect(bobs.data!.items[0]).toMatchObject({ customerNumber: '+14255550123', businessNumber: '+14255550102', record: { type: 'contact', id: 'ada' }, lastMessagePreview: 'Hi Bob, it is Ada' });

    // An inbound SMS through the emulated two-way SNS topic, from an unknown number: a new lead for the team.
    const sns = await local('POST', '/local/sns/inbound-sms', {
      body: { originationNumber: '+14255550177', destinationNumber: '+14255550101', messageKeyword: 'KEYWORD_000000000000', messageBody: 'Who is this?', inboundMessageId: 'local-in-1', previousPublishedMessageId: '' },
    });
    expect(sns.body).toEqual({ outcomes: ['stored'] });

    // Alice sends a templated SMS through the sandbox; the sandbox reports it delivered.
    const sent = await as(alice).POST('/messages', { body: { record: { type: 'contact', id: 'ada' }, from: '+14255550100', templateId: 'welcome' } });
    expect(sent.response.status).toBe(202);
    const message = sent.data!;
    expect(message).toMatchObject({ body: 'Hej Ada Lovelace! Alice Andersson here from Acme. Reply STOP to opt out.' });
    // The sandbox reports within milliseconds, sometimes before this response is written.
    expect(['sent', 'delivered']).toContain(message.status);
    const outbox = await local('GET', '/local/provider/outbox');
    expect(outbox.body.items.map((m: { messageId: string }) => m.messageId)).toContain(message.id);
    const delivered = await eventually(async () => {
      const messages = await as(alice).GET('/conversations/{id}/messages', { params: { path: { id: message.conversationId } } });
      return messages.data!.items.find((m) => m.id === message.id && m.status === 'delivered');
    });
    expect(delivered.status).toBe('delivered');

    // Ada replies through the sandbox; Alice is notified (table stream → notifier → emulated SNS).
    await local('POST', '/local/provider/inbound', { body: { from: '+14255550123', to: '+14255550100', body: 'Thanks Alice, call me tomorrow' } });
    const notification = await eventually(async () => {
      const list = await as(alice).GET('/me/notifications', { params: { query: { unread: 'true' } } });
      return list.data!.items.find((n) => n.kind === 'inbound_message' && n.conversationId === message.conversationId);
    });
    expect(notification.read).toBe(false);
    const published = await local('GET', '/local/sns/published');
    expect(published.body.items.some((p: { sellerId: string; kind: string }) => p.sellerId === 'alice' && p.kind === 'inbound_message')).toBe(true);

    // Ada sends a photo (MMS through the sandbox); the copier stores it and Alice downloads it.
    const photoUrl = `${base}/local/sample/photo.png`;
    const photo = Buffer.from(await (await fetch(photoUrl)).arrayBuffer());
    const mms = await local('POST', '/local/provider/inbound', { body: { from: '+14255550123', to: '+14255550100', body: '', media: [{ url: photoUrl, contentType: 'image/png' }] } });
    expect(mms.body.outcome).toBe('stored');
    const stored = await eventually(async () => {
      const messages = await as(alice).GET('/conversations/{id}/messages', { params: { path: { id: mms.body.conversationId } } });
      return messages.data!.items.find((m) => m.id === mms.body.message.id && m.media?.[0]?.status === 'stored');
    });
    expect(stored.media![0]).toMatchObject({ contentType: 'image/png', size: photo.length });
    const downloadPath = `/conversations/${stored.conversationId}/messages/${stored.id}/media/${stored.media![0]!.id}`;
    const file = await contractFetch(`${base}${downloadPath}`, { headers: { authorization: `Bearer ${alice}` } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(photo)).toBe(true);
    const conversations = await as(alice).GET('/me/conversations');
    expect(conversations.data!.items.find((c) => c.id === stored.conversationId)!.lastMessagePreview).toBe('[image]');

    // Every change went back to the CRM as an event (EventBridge emulated in-process), oldest first.
    const events = await eventually(async () => {
      const list = (await local('GET', '/local/events')).body.items as { source: string; detailType: string; detail: { eventId: string; conversationId?: string; message?: { id: string } } }[];
      return list.some((e) => e.detailType === 'SmsMessageReceived' && e.detail.message?.id === stored.id) ? list : undefined;
    });
    expect(events.every((e) => e.source === 'sms-crm')).toBe(true);
    const aboutSend = events.filter((e) => e.detail.message?.id === message.id).map((e) => e.detailType);
    expect(aboutSend).toEqual(['SmsMessageSent', 'SmsMessageStatusChanged']);
    expect(events.filter((e) => e.detailType === 'SmsMessageReceived').length).toBeGreaterThanOrEqual(4);

    // Send later: the local scheduler fires on time; an edited message goes once with its new text, a canceled one never.
    const sendAt = new Date(Date.now() + 3_000).toISOString();
    const later = await as(alice).POST('/messages', { body: { record: { type: 'contact', id: 'ada' }, from: '+14255550100', body: 'Draft for later', sendAt, cancelOnReply: false } });
    expect(later.data).toMatchObject({ status: 'scheduled', scheduledFor: sendAt });
    const edited = await as(alice).PATCH('/messages/{id}', { params: { path: { id: later.data!.id } }, body: { body: 'The final text, sent later' } });
    expect(edited.data).toMatchObject({ status: 'scheduled', body: 'The final text, sent later' });
    const dropped = await as(alice).POST('/messages', { body: { record: { type: 'contact', id: 'ada' }, from: '+14255550100', body: 'Never sent', sendAt } });
    expect((await as(alice).DELETE('/messages/{id}', { params: { path: { id: dropped.data!.id } } })).data).toMatchObject({ status: 'canceled', statusReason: { code: 'CanceledBySeller' } });
    const went = await eventually(async () => {
      const messages = await as(alice).GET('/conversations/{id}/messages', { params: { path: { id: later.data!.conversationId } } });
      return messages.data!.items.find((m) => m.id === later.data!.id && m.status === 'delivered');
    });
    expect(Date.parse(went.statusAt) - Date.parse(sendAt)).toBeLessThan(60_000);
    const sentOut = (await local('GET', '/local/provider/outbox')).body.items as { body: string }[];
    expect(sentOut.filter((m) => m.body === 'The final text, sent later')).toHaveLength(1);
    expect(sentOut.filter((m) => m.body === 'Draft for later' || m.body === 'Never sent')).toEqual([]);
  }, 60_000);

  it('a second instance on the same port prints one clear line and exits non-zero', () => {
    const port = new URL(base).port;
    const second = spawnSync('npm', ['start', '--silent', '--', '--port', port], { encoding: 'utf8', timeout: 60_000 });
    expect(second.status).not.toBe(0);
    const lines = second.stderr.trim().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`Port ${port} is already in use`));
  }, 60_000);

  it('Ctrl-C stops everything, children included', async () => {
    const pgid = child.pid!;
    expect(processesInGroup(pgid).length).toBeGreaterThan(1); // npm, sh, node, java
    process.kill(-pgid, 'SIGINT');
    await eventually(async () => (exitCode !== null ? true : undefined), 20_000);
    await eventually(async () => (processesInGroup(pgid).length === 0 ? true : undefined), 10_000);
    await expect(fetch(base)).rejects.toThrow();
  }, 40_000);
});

describe('npm start: its own shutdown', () => {
  it('SIGTERM to the stack process alone still stops DynamoDB Local (not left to the terminal)', async () => {
    const port = await freePort();
    const own = spawn('npm', ['start', '--', '--port', String(port)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    own.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    await eventually(async () => (log.includes('Press Ctrl-C') ? true : undefined), 90_000);
    const members = () =>
      spawnSync('ps', ['-o', 'pid=,args=', '-g', String(own.pid)], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    const stack = members().find((l) => /^\d+ node --import tsx scripts\/local\/start\.ts/.test(l));
    const java = members().find((l) => l.includes('DynamoDBLocal.jar'));
    expect(stack, members().join('\n')).toBeDefined();
    expect(java).toBeDefined();
    process.kill(Number(stack!.split(/\s+/)[0]), 'SIGTERM');
    await eventually(async () => (processesInGroup(own.pid!).length === 0 ? true : undefined), 20_000);
  }, 120_000);
});

describe('npm start -- --data: DynamoDB Local in a process group of its own', () => {
  it('stops when the stack is killed outright (SIGKILL: no exit handler runs), so the folder is free for the next start', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'sms-crm-killed-'));
    const own = spawn('npm', ['start', '--', '--data', dataDir, '--port', String(port)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: undefined } });
    let log = '';
    own.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    await eventually(async () => (log.includes('Press Ctrl-C') ? true : undefined), 90_000);
    const javaOf = () => spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.includes('DynamoDBLocal.jar') && l.includes(dataDir));
    expect(javaOf()).toBeDefined();
    // Not in the terminal's group: a Ctrl-C reaches the stack alone, which drains the stream readers first.
    expect(processesInGroup(own.pid!).some(([pid]) => javaOf()!.trim().startsWith(`${pid} `))).toBe(false);
    process.kill(-own.pid!, 'SIGKILL');
    await eventually(async () => (javaOf() === undefined ? true : undefined), 15_000);
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});

describe('npm start: clear errors', () => {
  it('Java missing: one line with the install command, non-zero exit', async () => {
    const port = await freePort();
    // A PATH with node and nothing else, as on a machine without Java.
    const bin = mkdtempSync(join(tmpdir(), 'no-java-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = spawnSync(join(bin, 'node'), ['node_modules/tsx/dist/cli.mjs', 'scripts/local/start.ts', '--port', String(port)], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH: bin } });
    rmSync(bin, { recursive: true, force: true });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('Java is required for DynamoDB Local and was not found. Install it: sudo apt-get install -y default-jre-headless');
  }, 60_000);

  let blocker: Server;
  it('a port already in use: one line, non-zero exit', async () => {
    blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const run = spawnSync('npm', ['start', '--silent', '--', '--port', String(port)], { encoding: 'utf8', timeout: 60_000 });
    blocker.close();
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`Port ${port} is already in use. Stop the other process, or start on another port: PORT=${port + 1} npm start`);
  }, 60_000);
});
