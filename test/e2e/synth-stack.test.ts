import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { freePort } from '../../scripts/local/dynamodb-local';
import { TemplateModel, type CfnTemplate } from '../../scripts/local/synthesized-template';
import { FunctionWorker } from '../../scripts/local/synth/function-workers';
import { startSynthStack } from '../../scripts/local/synth/synth-stack';
import { createApiClient } from '../../shared/client';
import { contractFetch } from '../helpers/openapi-contract';
import { signedTwilioForm } from '../helpers/signing';
import { WebSocket } from 'ws';
import { SAMPLE_PHOTO } from '../../scripts/local/server';

/**
 * `npm start -- --synth --seed`: the README walkthrough against the deployment `cdk synth` describes, every
 * function running from its bundle with only its template environment (scripts/local/synth/).
 */
const cdkOut = mkdtempSync(join(tmpdir(), 'sms-crm-cdk-out-'));
let child: ChildProcess;
let output = '';
let base = '';
let exitCode: number | null = null;
const ADA = '+14255550123';
const ADA_WORDS = 'Here is the signed form';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function local(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: await response.json() };
}

const as = (token?: string) => createApiClient(base, { token: () => token, fetch: contractFetch });

async function eventually<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in time; stack output:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  const port = await freePort();
  child = spawn('npm', ['start', '--', '--synth', '--seed', '--port', String(port), '--cdk-out', cdkOut], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: undefined, TWILIO_AUTH_TOKEN: 'local-twilio-token', SCHEDULE_MIN_LEAD_SECONDS: '2' } });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.on('exit', (code) => (exitCode = code ?? -1));
  const deadline = Date.now() + 150_000;
  while (!output.includes('Press Ctrl-C to stop')) {
    if (exitCode !== null) throw new Error(`npm start -- --synth exited ${exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start -- --synth did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
}, 180_000);

afterAll(async () => {
  if (exitCode === null && child.pid) process.kill(-child.pid, 'SIGINT');
  const deadline = Date.now() + 20_000;
  while (exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  rmSync(cdkOut, { recursive: true, force: true });
}, 30_000);

describe('npm start -- --synth: the walkthrough on the synthesized bundles', () => {
  it('Twilio MMS → notifier → My SMS → photo copied and downloaded → templated send → delivery report → CRM events → erasure, every function from its bundle', async () => {
    const deployment = (await local('GET', '/local/deployment')).body;
    expect(deployment.functions).toHaveLength(18);
    // The template's Custom::Migrations ran at start, as CloudFormation would after a deploy.
    expect(deployment.functions.find((f: { name: string }) => f.name === 'migrations').invoked).toBe(true);
    const [admin, alice, bob] = await Promise.all(['admin', 'alice', 'bob'].map(async (sub) => (await local('POST', '/local/token', { sub, groups: sub === 'admin' ? ['admin'] : [] })).body.token as string));

    // Bob's console opens the live channel: the live bundle verifies his token against the user pool's JWKS at $connect.
    const liveUrl = `${base.replace(/^http/, 'ws')}/live`;
    const refused = await new Promise<number>((resolve) => new WebSocket(`${liveUrl}?token=not-a-token`).on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).on('open', () => resolve(101)));
    expect(refused).toBe(401);
    const frames: Json[] = [];
    const socket = new WebSocket(`${liveUrl}?token=${bob}`);
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => socket.on('open', resolve).on('error', reject));

    // Directory (admin): the seed is there, read through the directory bundle.
    const numbers = await as(alice).GET('/me/numbers');
    expect(numbers.data!.items.map((n) => n.number)).toContain('+14255550100');

    // Ada sends Bob's Twilio number a photo. Twilio signs over the deployed callback URL (PUBLIC_BASE_URL from the template).
    const callbackUrl = `${deployment.publicBaseUrl}/callbacks/twilio/inbound`;
    const fields = { MessageSid: 'SMsynth0001', AccountSid: 'AClocal', From: ADA, To: '+14255550102', Body: ADA_WORDS, NumMedia: '1', MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AClocal/Messages/MMsynth0001/Media/MEsynth0001', MediaContentType0: 'image/png' };
    const form = signedTwilioForm('local-twilio-token', callbackUrl, fields);
    const postTwilio = () => fetch(`${base}/callbacks/twilio/inbound`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': form.signature }, body: form.body });
    // First deploy: the Twilio secret as the stack creates it (empty fields) answers 503 NotConfigured, then works once set.
    const secrets = new SecretsManagerClient({ region: 'us-east-1', endpoint: deployment.awsEndpoint, credentials: { accessKeyId: 'operator', secretAccessKey: 'operator' } });
    await secrets.send(new PutSecretValueCommand({ SecretId: deployment.twilioSecretArn, SecretString: JSON.stringify({ accountSid: '', authToken: '' }) }));
    const unconfigured = await postTwilio();
    expect(unconfigured.status).toBe(503);
    expect(((await unconfigured.json()) as Json).error.code).toBe('NotConfigured');
    await secrets.send(new PutSecretValueCommand({ SecretId: deployment.twilioSecretArn, SecretString: JSON.stringify({ accountSid: 'AClocal', authToken: 'local-twilio-token' }) }));
    const twilio = await postTwilio();
    expect(twilio.status).toBe(200);

    // The notifier (table stream, template filter) makes Bob's notification; his My SMS lists the conversation.
    const conversation = await eventually(async () => (await as(bob).GET('/me/conversations', { params: { query: { unread: 'true' } } })).data!.items.find((c) => c.customerNumber === ADA));
    expect(conversation).toMatchObject({ businessNumber: '+14255550102', record: { type: 'contact', id: 'ada' }, unreadCount: 1 });
    await eventually(async () => (await as(bob).GET('/me/notifications')).data!.items.find((n) => n.kind === 'inbound_message' && n.conversationId === conversation.id));
    // The notifier bundle posted the hints through the WebSocket stage's management API: the conversation and the bell.
    await eventually(async () => (frames.some((f) => f.type === 'conversation' && f.conversationId === conversation.id && f.change === 'message') && frames.some((f) => f.type === 'notification' && f.unread >= 1) ? true : undefined));
    expect(JSON.stringify(frames)).not.toContain(ADA_WORDS);

    // The dispatcher hands the message to the media copier, which fetches Twilio's file and puts it in the bucket (local S3 server).
    const photo = await eventually(async () => {
      const messages = await as(bob).GET('/conversations/{id}/messages', { params: { path: { id: conversation.id } } });
      return messages.data!.items.find((m) => m.media?.[0]?.status === 'stored');
    });
    const download = await fetch(`${base}/conversations/${conversation.id}/messages/${photo.id}/media/${photo.media![0]!.id}`, { headers: { authorization: `Bearer ${bob}` }, redirect: 'manual' });
    expect(download.status).toBe(302);
    const presigned = download.headers.get('location')!;
    expect(presigned).toMatch(/X-Amz-Signature=/);
    const file = await fetch(presigned);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    // The S3 server checks the signature: a tampered URL is refused.
    const tampered = new URL(presigned);
    const signature = tampered.searchParams.get('X-Amz-Signature')!;
    tampered.searchParams.set('X-Amz-Signature', `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(403);

    // Alice sends a templated SMS from her End User Messaging number; the service reports it through the SMS events topic.
    const sent = await as(alice).POST('/messages', { body: { record: { type: 'contact', id: 'ada' }, from: '+14255550100', templateId: 'welcome' } });
    expect(sent.response.status).toBe(202);
    const outbox = (await local('GET', '/local/provider/outbox')).body.items as Json[];
    expect(outbox.find((m) => m.context?.messageId === sent.data!.id)).toMatchObject({ provider: 'eum', configurationSet: 'sms-crm-local', destination: ADA });
    await eventually(async () => (await as(alice).GET('/conversations/{id}/messages', { params: { path: { id: sent.data!.conversationId } } })).data!.items.find((m) => m.id === sent.data!.id && m.status === 'delivered'));

    // Alice sends Ada a photo: the browser uploads it straight to the bucket (a presigned POST to the local S3
    // server), the send copies it under the message and hands End User Messaging its S3 URI; she downloads it as the thread shows it.
    const created = await as(alice).POST('/media', { body: { contentType: 'image/png', size: SAMPLE_PHOTO.length } });
    expect(created.response.status).toBe(201);
    const { upload, mediaId } = created.data!;
    expect(upload.method).toBe('POST');
    const uploadForm = new FormData();
    for (const [name, value] of Object.entries(upload.fields ?? {})) uploadForm.append(name, value);
    uploadForm.append('file', new Blob([SAMPLE_PHOTO], { type: 'image/png' }));
    expect((await fetch(upload.url, { method: 'POST', body: uploadForm })).status).toBeLessThan(300);
    const mms = await as(alice).POST('/messages', { body: { record: { type: 'contact', id: 'ada' }, from: '+14255550100', media: [mediaId], body: 'The signed form' } });
    expect(mms.response.status).toBe(202);
    expect(mms.data!.media).toEqual([{ id: mediaId, contentType: 'image/png', status: 'stored', size: SAMPLE_PHOTO.length }]);
    const mmsSent = ((await local('GET', '/local/provider/outbox')).body.items as Json[]).find((m) => m.context?.messageId === mms.data!.id);
    expect(mmsSent.media).toEqual([expect.stringMatching(new RegExp(`^s3://[\\w.-]+/media/out/${mms.data!.id}/${mediaId}$`))]);
    const sentPhoto = await fetch(`${base}/conversations/${mms.data!.conversationId}/messages/${mms.data!.id}/media/${mediaId}`, { headers: { authorization: `Bearer ${alice}` }, redirect: 'manual' });
    expect(sentPhoto.status).toBe(302);
    expect(Buffer.from(await (await fetch(sentPhoto.headers.get('location')!)).arrayBuffer()).equals(SAMPLE_PHOTO)).toBe(true);

    const crm = new EventBridgeClient({ region: 'us-east-1', endpoint: deployment.awsEndpoint, credentials: { accessKeyId: 'crm', secretAccessKey: 'crm' } });
    // Send later from the bundles: Alice schedules a text (outbound-send creates the schedule with the template's role),
    // and the CRM's sequence puts an SmsStepDue with sendAt (rule → scheduled-send, which schedules it); EventBridge
    // Scheduler's stand-in fires both through the schedule role, and the scheduled-send bundle sends them.
    const sendAt = new Date(Date.now() + 3_000).toISOString();
    const later = await as(alice).POST('/messages', { body: { record: { type: 'contact', id: 'ada' }, from: '+14255550100', body: 'As promised, the price list', sendAt, cancelOnReply: false } });
    expect(later.response.status).toBe(202);
    expect(later.data).toMatchObject({ status: 'scheduled', scheduledFor: sendAt });
    expect((await as(alice).GET('/me/scheduled')).data!.items.map((m) => m.id)).toContain(later.data!.id);
    await crm.send(new PutEventsCommand({ Entries: [{ Source: 'crm', DetailType: 'SmsStepDue', Detail: JSON.stringify({ stepRunId: 'synth-run-1', record: { type: 'contact', id: 'ada' }, templateId: 'welcome', sendAt: new Date(Date.now() + 4_000).toISOString(), context: { sequenceId: 'seq-1', stepId: 'step-3' } }) }] }));
    const went = await eventually(async () => {
      const items = (await local('GET', '/local/provider/outbox')).body.items as Json[];
      const scheduledSend = items.find((m) => m.context?.messageId === later.data!.id);
      const step = ((await as(alice).GET('/conversations/{id}/messages', { params: { path: { id: later.data!.conversationId } } })).data!.items).find((m) => m.automated === 'sms_step' && m.status !== 'scheduled');
      return scheduledSend && step ? { scheduledSend, step } : undefined;
    }, 30_000);
    expect(went.scheduledSend).toMatchObject({ provider: 'eum', body: 'As promised, the price list', destination: ADA });
    expect(went.step).toMatchObject({ sentBy: 'alice', context: { sequenceId: 'seq-1', stepId: 'step-3' } });
    const sentLater = (await as(alice).GET('/conversations/{id}/messages', { params: { path: { id: later.data!.conversationId } } })).data!.items.find((m) => m.id === later.data!.id)!;
    expect(Date.parse(sentLater.statusAt) - Date.parse(sendAt)).toBeLessThan(60_000);

    // Team inboxes: the team's line is closed (no opening hours at all) with an auto-reply, and the team auto-assigns.
    const teamLine = await as(admin).PUT('/directory/numbers/{number}', { params: { path: { number: '+14255550101' } }, body: { assignedTo: { type: 'team', id: 'sales-east' }, provider: 'eum', label: 'Sales East', businessHours: { timeZone: 'Europe/Stockholm', weekly: {} }, autoReply: { body: 'We are closed; {{seller.name|we}} will answer soon.' } } });
    expect(teamLine.response.status).toBe(200);
    expect((await as(admin).PUT('/directory/teams/{teamId}', { params: { path: { teamId: 'sales-east' } }, body: { name: 'Sales East', autoAssign: { mode: 'round_robin' } } })).response.status).toBe(200);

    // Ada answers through End User Messaging (two-way topic → inbound), and once through the HTTPS subscription (signed → sns-callbacks).
    expect((await local('POST', '/local/provider/inbound', { from: ADA, to: '+14255550100', body: 'Thanks Alice' })).status).toBe(202);
    const https = await local('POST', '/local/sns/inbound-sms/https', { originationNumber: '+14255550177', destinationNumber: '+14255550101', messageKeyword: 'KEYWORD_LOCAL', messageBody: 'Who is this?', inboundMessageId: 'synth-https-1', previousPublishedMessageId: null });
    expect(https).toMatchObject({ status: 200, body: { kind: 'inbound', outcome: 'stored' } });
    // The new lead went to Alice in turn (sns-callbacks took the team's turn), and the after-hours reply went from the
    // stream (dispatcher → scheduled-send bundle → End User Messaging).
    const afterHours = await eventually(async () => ((await local('GET', '/local/provider/outbox')).body.items as Json[]).find((m) => m.destination === '+14255550177'));
    expect(afterHours).toMatchObject({ provider: 'eum', body: 'We are closed; Alice Andersson will answer soon.' });
    const teamConversation = (await as(alice).GET('/me/conversations')).data!.items.find((c) => c.customerNumber === '+14255550177')!;
    expect(teamConversation.assignedTo).toEqual({ type: 'seller', id: 'alice' });
    const answered = await as(alice).POST('/conversations/{id}/messages', { params: { path: { id: teamConversation.id } }, body: { body: 'Alice here, from Sales East' } });
    expect(answered.response.status).toBe(202);
    const report = await as(admin).GET('/reports/response-times', { params: { query: { from: new Date().toISOString().slice(0, 10), to: new Date().toISOString().slice(0, 10), groupBy: 'team' } } });
    // The line has no opening hours: the business-hours clock never ran, so Alice answered in 0 s of business time.
    const teamRow = report.data!.items.find((r) => r.principal.id === 'sales-east')!;
    expect(teamRow.answered).toBeGreaterThanOrEqual(1);
    expect(teamRow.firstResponseSeconds).toEqual({ median: 0, p90: 0 });
    await eventually(async () => (await as(alice).GET('/conversations/{id}/messages', { params: { path: { id: sent.data!.conversationId } } })).data!.items.find((m) => m.direction === 'inbound'));

    // Alice hands her conversation to Bob (reassignment); the CRM renames Ada (EventBridge rule → record sync).
    const handed = await as(alice).POST('/conversations/{id}/assign', { params: { path: { id: sent.data!.conversationId } }, body: { assignedTo: { type: 'seller', id: 'bob' } } });
    expect(handed.response.status).toBe(200);
    await crm.send(new PutEventsCommand({ Entries: [{ Source: 'crm', DetailType: 'RecordUpserted', Detail: JSON.stringify({ type: 'contact', id: 'ada', name: 'Ada King', mobile: ADA, accountId: 'acme', ownerId: 'alice', state: 'active', modifiedAt: new Date().toISOString() }) }] }));
    await eventually(async () => ((await as(admin).GET('/records/{type}/{id}', { params: { path: { type: 'contact', id: 'ada' } } })).data?.name === 'Ada King' ? true : undefined));
    // The schedule rule runs the sweeper.
    expect((await local('POST', '/local/schedules/run')).body.invoked).toBe(1);

    // Every change reached the CRM (dispatcher → crm-events → EventBridge).
    await eventually(async () => {
      const types = new Set(((await local('GET', '/local/events')).body.items as Json[]).filter((e) => e.source === 'sms-crm').map((e) => e['detail-type']));
      return ['SmsMessageReceived', 'SmsMessageSent', 'SmsMessageStatusChanged', 'SmsConversationAssigned'].every((t) => types.has(t)) ? true : undefined;
    });

    // A message still scheduled for Ada when she is erased: the privacy bundle deletes its schedule with it.
    const pending = await as(alice).POST('/messages', { body: { record: { type: 'contact', id: 'ada' }, from: '+14255550100', body: 'Due next week', sendAt: new Date(Date.now() + 7 * 24 * 3600_000).toISOString() } });
    expect(pending.response.status).toBe(202);
    const pendingSchedule = `sms-${pending.data!.id}-r0`;
    expect(((await local('GET', '/local/deployment')).body.schedules.pending as Json[]).map((s) => s.name)).toContain(pendingSchedule);

    // Erasure (privacy): the messages and the copied file are gone.
    const erased = await as(admin).DELETE('/customers/{customerNumber}', { params: { path: { customerNumber: ADA } } });
    expect(erased.response.status).toBe(200);
    expect((await fetch(presigned)).status).toBe(404);
    expect(((await local('GET', '/local/deployment')).body.schedules.pending as Json[]).map((s) => s.name)).not.toContain(pendingSchedule);
    expect((await as(bob).GET('/me/conversations')).data!.items.find((c) => c.customerNumber === ADA)).toBeUndefined();

    // Bob closes his console: $disconnect runs the live bundle again.
    socket.close();

    // All eighteen functions ran from their bundles, nothing failed or was left unemulated.
    const after = (await eventually(async () => {
      const d = (await local('GET', '/local/deployment')).body;
      return d.functions.every((f: Json) => f.invoked) ? d : undefined;
    })) as Json;
    expect(after.failures).toEqual({ invocations: [], queues: {}, streams: [], unsupported: [], schedules: [] });

    // No phone number or message body in any function's logs.
    let logged = 0;
    for (const fn of after.functions as Json[]) {
      const lines = (await local('GET', `/local/logs/${fn.name}`)).body.lines as string[];
      logged += lines.length;
      expect(lines.filter((line) => line.includes(ADA.slice(2)) || line.includes(ADA_WORDS)), fn.name).toEqual([]);
    }
    expect(logged).toBeGreaterThan(0);
  }, 120_000);
});

describe('--synth runs what the template and bundles hold, nothing else', () => {
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sms-crm-cdk-copy-'));
    cpSync(cdkOut, dir, { recursive: true });
    return dir;
  };
  const functionsOf = (dir: string) => new TemplateModel(JSON.parse(readFileSync(join(dir, 'SmsCrm.template.json'), 'utf8')) as CfnTemplate).functions();
  const environment = { region: 'us-east-1', dynamodbEndpoint: 'http://127.0.0.1:9', s3Endpoint: 'http://127.0.0.1:9', awsEndpoint: 'http://127.0.0.1:9', redirects: [], credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const apiEvent = { version: '2.0', routeKey: 'GET /me/numbers', rawPath: '/me/numbers', rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET', path: '/me/numbers' }, authorizer: { jwt: { claims: { sub: 'alice' } } } }, isBase64Encoded: false };

  it('a template AWS would refuse does not start: six filters on one event source mapping, with the rule\'s message', async () => {
    const dir = copy();
    const path = join(dir, 'SmsCrm.template.json');
    const template = JSON.parse(readFileSync(path, 'utf8')) as CfnTemplate;
    const mapping = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties!.FunctionName).includes('Notifier'))!;
    const filters = (mapping.Properties!.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    while (filters.length < 6) filters.push({ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: [`extra${filters.length}`] } } } }) });
    writeFileSync(path, JSON.stringify(template));
    await expect(startSynthStack({ cdkOut: dir, port: 0, dynamoEndpoint: 'http://127.0.0.1:9', jwtSecret: 'x' })).rejects.toThrow(/6 filters on one event source mapping; Lambda allows 5 .*lambda-filters-per-event-source-mapping/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the local stack\'s quiet hours (off unless QUIET_HOURS is set) are the synthesized deployment\'s', () => {
    for (const name of ['seller-api', 'outbound-send']) expect(functionsOf(cdkOut).get(name)!.environment.QUIET_HOURS, name).toBe('off');
  });

  it('a bundle missing one of its chunks fails its invocations', async () => {
    const dir = copy();
    const directory = functionsOf(dir).get('directory')!;
    const chunks = join(dir, directory.assetPath!, 'chunks');
    const index = readFileSync(join(dir, directory.assetPath!, 'index.mjs'), 'utf8');
    const imported = readdirSync(chunks).find((f) => f.endsWith('.mjs') && index.includes(`chunks/${f}`))!;
    rmSync(join(chunks, imported));
    const worker = new FunctionWorker(directory, join(dir, directory.assetPath!), environment, false);
    await expect(worker.invoke(apiEvent)).rejects.toThrow(/Cannot find module|ERR_MODULE_NOT_FOUND/);
    await worker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a function whose template environment lacks its table fails its invocations, naming the variable', async () => {
    const directory = functionsOf(cdkOut).get('directory')!;
    const { TABLE_NAME: _dropped, ...rest } = directory.environment;
    const worker = new FunctionWorker({ ...directory, environment: rest }, join(cdkOut, directory.assetPath!), environment, false);
    await expect(worker.invoke(apiEvent)).rejects.toThrow(/TABLE_NAME/);
    await worker.stop();
  });
});
