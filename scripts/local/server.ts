import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { SNSClient } from '@aws-sdk/client-sns';
import { apiGatewayEvent } from './api-event';
import { LocalAuth } from './local-auth';
import { LocalSessions } from './local-sessions';
import { LocalSns } from './local-sns';
import { tableStreamReaders } from './stream-readers';
import { runAsFunction } from './function-scope';
import { FileMediaStore } from './file-media-store';
import { consoleFile, CONSOLE_SECURITY_HEADERS } from './console-files';
import { LocalEventBus, LocalQueue } from './local-event-bus';
import { createHandler as createCrmEvents } from '../../functions/crm-events/handler';
import { createHandler as createMediaCopier } from '../../functions/media-copier/handler';
import { deleteMediaOf } from '../../shared/flows/erase-customer';
import { MAX_MEDIA_PER_MESSAGE, MAX_OUTBOUND_MEDIA_BYTES } from '../../shared/domain/media';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIVE_TAB_HEADER } from '../../shared/domain/live';
import { createDb, type Db } from '../../shared/aws';
import { systemClock } from '../../shared/domain/clock';
import { parseQuietHours } from '../../shared/domain/quiet-hours';
import type { Deps } from '../../shared/deps';
import type { FunctionName } from '../../shared/http/routes';
import { errorBody } from '../../shared/http/errors-middleware';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { applyDeliveryReport } from '../../shared/flows/apply-delivery-report';
import { receiveInbound } from '../../shared/flows/receive-inbound';
import { normalizePhone } from '../../shared/domain/phone';
import { localSender } from '../../shared/domain/inbound';
import { CursorCodec } from '../../shared/http/cursor';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { createHandler as createTwilio } from '../../functions/twilio-callbacks/handler';
import { createHandler as createSnsCallbacks } from '../../functions/sns-callbacks/handler';
import { createHandler as createInbound } from '../../functions/inbound/handler';
import { createHandler as createDeliveryReports } from '../../functions/delivery-reports/handler';
import { createHandler as createNotifier } from '../../functions/notifier/handler';
import { createHandler as createLive } from '../../functions/live/handler';
import { LocalLiveSockets } from './live-sockets';
import { LocalScheduler } from './local-scheduler';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeMessageScheduler } from '../../shared/schedules/message-scheduler';
import { createHandler as createScheduledSend } from '../../functions/scheduled-send/handler';

/** The local stack's schedule group, target and role, as the deployed stack's environment names them. */
export const LOCAL_SCHEDULER_SETTINGS = { groupName: 'sms-crm-local', targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:scheduled-send', roleArn: 'arn:aws:iam::000000000000:role/sms-crm-local-scheduler' };

export interface LocalStackOptions {
  port: number;
  host?: string;
  dynamoEndpoint: string;
  table: string;
  twilioAuthToken: string;
  jwtSecret: string;
  /** Print each notification the emulated SNS receives (on for `npm start`). */
  logNotifications?: boolean;
  /** Drive the notifier from the table's stream (on unless a benchmark isolates the request path). */
  streams?: boolean;
  /** A DynamoDB client to use instead of a fresh one (benchmarks meter it). */
  db?: Db;
  /** Browser origins allowed to call the API (comma-separated), as `corsOrigins` configures API Gateway in AWS. */
  corsOrigins?: string;
  /** Folder of the local media store (MMS copies); a fresh temporary one by default. */
  mediaDir?: string;
  /** Where the stream readers keep their positions (a persistent stack, `--data`): they resume there after a restart. */
  streamCheckpointDir?: string;
  /** Where the scheduler stand-in keeps its schedules (a persistent stack): they still fire after a restart. */
  schedulesFile?: string;
  /** The seller console at `/`: the sellers its sign-in screen offers, and its polling interval. */
  console?: { sellers: { id: string; name: string; groups?: string[] }[]; pollMs?: number; maxPollMs?: number };
}

const lambdaContext = { functionName: 'local', awsRequestId: 'local', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

type Handler = (event: never, context: Context) => Promise<unknown>;

/**
 * Serves every route of the contract through the same handlers that run in Lambda, fed with
 * API Gateway HTTP API v2 events, plus the local-only routes (token, SNS emulation, sandbox).
 */
export async function startLocalServer(options: LocalStackOptions) {
  const deps: Deps = { db: options.db ?? createDb({ endpoint: options.dynamoEndpoint, region: 'us-east-1' }), table: options.table, clock: systemClock, defaultRegion: process.env.DEFAULT_REGION ?? 'US', ...(process.env.RETENTION_DAYS ? { retentionDays: Number(process.env.RETENTION_DAYS) } : {}), quietHours: parseQuietHours(process.env.QUIET_HOURS), ...(process.env.SCHEDULE_MIN_LEAD_SECONDS ? { scheduleMinLeadSeconds: Number(process.env.SCHEDULE_MIN_LEAD_SECONDS) } : {}) };
  const baseUrl = `http://${options.host ?? '127.0.0.1'}:${options.port}`;
  // Everything a handler would read from its Lambda environment is passed in: the process environment is left alone.
  const cursorKey = process.env.CURSOR_SIGNING_KEY ?? randomUUID();
  const corsOrigins = new Set((options.corsOrigins ?? DEFAULT_CORS_ORIGINS).split(',').map((o) => o.trim()).filter(Boolean));

  // MMS copies go to a folder; the copier may fetch from this machine (http, loopback), as nothing in AWS may.
  const media = new FileMediaStore(options.mediaDir ?? (await mkdtemp(join(tmpdir(), 'sms-crm-media-'))), () => baseUrl);
  const copier = createMediaCopier({ ...deps, media, fetch: { timeoutMs: 10_000, allowedHosts: (process.env.MEDIA_ALLOWED_HOSTS ?? 'api.twilio.com,127.0.0.1,localhost').split(','), allowInsecure: true } });
  // The sandbox's reports and simulated replies run as the functions that handle them in AWS (the IAM check reads this).
  const sandbox = new SandboxProvider((report) => runAsFunction('delivery-reports', () => applyDeliveryReport(deps, report)));
  const sns = new LocalSns(options.logNotifications ?? true);
  // Send later: EventBridge Scheduler in process; each schedule fires the scheduled-send function on time.
  const localScheduler = new LocalScheduler(async () => undefined, { ...(options.schedulesFile ? { file: options.schedulesFile } : {}) });
  const scheduler = () => new EventBridgeMessageScheduler(localScheduler as unknown as SchedulerClient, LOCAL_SCHEDULER_SETTINGS);
  const scheduledSend = createScheduledSend(deps, () => sandbox, { scheduler });
  localScheduler.setTarget((input) => runAsFunction('scheduled-send', () => scheduledSend(input as never, lambdaContext)));
  const http: Record<FunctionName, Handler> = {
    directory: createDirectory(deps, new CursorCodec(async () => cursorKey)),
    'seller-api': createSellerApi(deps, new CursorCodec(async () => cursorKey), () => media),
    // Locally every business number sends through the sandbox, whatever its provider.
    'outbound-send': createOutbound(deps, () => sandbox, () => media, scheduler),
    reassignment: createReassignment(deps),
    privacy: createPrivacy(deps, new CursorCodec(async () => cursorKey), { hashKey: async () => cursorKey, deleteMedia: deleteMediaOf(media), deleteSchedule: (name) => scheduler().delete(name) }),
    'twilio-callbacks': createTwilio(deps, { credentials: async () => ({ accountSid: 'AClocal', authToken: options.twilioAuthToken }), publicBaseUrl: undefined }),
    'sns-callbacks': createSnsCallbacks(deps, { allowedTopicArns: [] }),
  };
  const snsSubscribers: Record<string, Handler> = { 'inbound-sms': createInbound(deps), 'sms-events': createDeliveryReports(deps) };
  const auth = new LocalAuth(options.jwtSecret);
  // The console's live channel at /live: the live function behind $connect / $disconnect; the notifier posts the frames.
  const live = createLive(deps, (token) => auth.verify(token));
  const liveSockets = new LocalLiveSockets((event) => runAsFunction('live', () => live(event, lambdaContext)));
  const notify = createNotifier({ ...deps, sns: sns as unknown as SNSClient, topicArn: 'arn:aws:sns:local:000000000000:seller-notifications', live: liveSockets });
  const eventBus = new LocalEventBus();
  const publishEvents = createCrmEvents({ ...deps, publisher: { eventBridge: eventBus as never, busName: undefined, failures: { sqs: new LocalQueue() as never, queueUrl: 'local' } } });
  // The table's stream drives its consumers as deployed: the notifier, and the dispatcher handing the others their changes.
  const poller = tableStreamReaders(options.dynamoEndpoint, options.table, { notifier: notify, 'media-copier': copier, 'crm-events': publishEvents, automations: (event) => runAsFunction('scheduled-send', () => scheduledSend(event as never, lambdaContext)) as never }, { checkpointDir: options.streamCheckpointDir });
  if (options.streams ?? true) poller.start(200);

  const sessions = new LocalSessions(auth);
  const local = async (method: string, path: string, body: string): Promise<{ status: number; body: unknown } | undefined> => {
    const json = () => {
      try {
        return body ? JSON.parse(body) : {};
      } catch {
        return undefined;
      }
    };
    // Sign-in, renewal and revocation, as the user pool's app client answers them (scripts/local/local-sessions.ts).
    const signIn = await sessions.route(method, path, body);
    if (signIn) return signIn;
    const snsTopic = /^\/local\/sns\/([\w-]+)$/.exec(path)?.[1];
    if (method === 'POST' && snsTopic) {
      const subscriber = snsSubscribers[snsTopic];
      if (!subscriber) return { status: 404, body: errorBody('NotFound', `no local topic ${snsTopic}; use inbound-sms or sms-events`) };
      if (json() === undefined) return { status: 400, body: errorBody('ValidationError', 'the body must be the SNS Message as JSON') };
      const event = { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: `arn:aws:sns:local:000000000000:${snsTopic}:local`, Sns: { Type: 'Notification', MessageId: randomUUID(), TopicArn: `arn:aws:sns:local:000000000000:${snsTopic}`, Message: body, Timestamp: new Date().toISOString(), MessageAttributes: {} } }] };
      try {
        return { status: 200, body: await subscriber(event as never, lambdaContext) };
      } catch (error) {
        // In AWS the invocation would be retried, then kept in the dead-letter queue.
        const e = error as { code?: string; status?: number; message: string; issues?: unknown };
        return { status: e.status && e.status < 500 ? e.status : 400, body: errorBody(e.code ?? 'ValidationError', e.message) };
      }
    }
    if (method === 'GET' && path === '/local/sns/published') return { status: 200, body: { items: sns.published } };
    if (method === 'GET' && path === '/local/events') return { status: 200, body: { items: eventBus.events } };
    if (method === 'GET' && path === '/local/provider/outbox') return { status: 200, body: { items: sandbox.outbox } };
    if (method === 'POST' && path === '/local/provider/inbound') {
      const input = json();
      // Any sender id, as a provider delivers it: a phone number, or `AMAZON`, a short code (stored on no record).
      const from = typeof input?.from === 'string' ? localSender(input.from, deps.defaultRegion) : undefined;
      const to = typeof input?.to === 'string' ? normalizePhone(input.to, deps.defaultRegion) : undefined;
      if (!from || !to || typeof input.body !== 'string') return { status: 400, body: errorBody('ValidationError', 'body must be {"from", "to", "body"} with phone numbers') };
      const media = Array.isArray(input.media) ? (input.media as unknown[]) : [];
      if (media.length > MAX_MEDIA_PER_MESSAGE || !media.every((m) => typeof (m as { url?: unknown }).url === 'string' && typeof (m as { contentType?: unknown }).contentType === 'string')) {
        return { status: 400, body: errorBody('ValidationError', `media must be at most ${MAX_MEDIA_PER_MESSAGE} {"url", "contentType"}`) };
      }
      const result = await runAsFunction('inbound', () => receiveInbound(deps, { provider: 'sandbox', providerMessageId: `SBIN${randomUUID().replace(/-/g, '')}`, from, to, body: input.body, ...(media.length ? { media: media as { url: string; contentType: string }[] } : {}) }));
      return { status: 200, body: result };
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const upload = /^\/local\/uploads\/([\w.-]+)$/.exec(req.url ?? '')?.[1];
    if (upload && req.method === 'PUT') {
      // Outbound MMS: the browser's upload to the URL POST /media gave (a presigned POST to S3 in AWS).
      const bytes = await readBody(req, MAX_OUTBOUND_MEDIA_BYTES);
      const cors = corsHeaders(corsOrigins, req.headers.origin);
      if (!bytes) return send(res, 413, errorBody('PayloadTooLarge', `an upload is at most ${MAX_OUTBOUND_MEDIA_BYTES} bytes`), cors);
      const accepted = await media.acceptUpload(upload, req.headers['content-type'], bytes);
      return accepted.status === 204 ? void res.writeHead(204, cors).end() : send(res, accepted.status, errorBody(accepted.status === 403 ? 'InvalidSignature' : 'ValidationError', accepted.message), cors);
    }
    const request = await readRequest(req);
    if (!request) return send(res, 413, errorBody('PayloadTooLarge', 'the body is larger than 1 MB'));
    const { body, path, rawQueryString, method } = request;
    const cors = corsHeaders(corsOrigins, req.headers.origin);
    if (method === 'OPTIONS') return preflight(res, cors);
    if (method === 'GET' && path === '/config.json') {
      // The console's configuration: the API is this server, as the browser reached it.
      const host = /^[\w.-]+(:\d+)?$/.test(req.headers.host ?? '') ? req.headers.host : `127.0.0.1:${options.port}`;
      const config = { apiUrl: `http://${host}`, liveUrl: `ws://${host}/live`, auth: { kind: 'local', sellers: options.console?.sellers ?? [] }, pollMs: options.console?.pollMs ?? 2000, maxPollMs: options.console?.maxPollMs ?? 10_000, quietHours: process.env.QUIET_HOURS ?? 'off' };
      return send(res, 200, config, { ...cors, 'cache-control': 'no-store' });
    }
    if (method === 'GET' && !path.startsWith('/local/')) {
      const file = await consoleFile(path);
      if (file) return void res.writeHead(200, { 'content-type': file.type, 'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache', ...CONSOLE_SECURITY_HEADERS }).end(file.body);
    }
    if (method === 'GET' && path === SAMPLE_PHOTO_PATH) return void res.writeHead(200, { 'content-type': 'image/png', ...cors }).end(SAMPLE_PHOTO);
    if (path.startsWith('/local/')) {
      const answer = await local(method, path, body);
      return answer ? send(res, answer.status, answer.body, cors) : send(res, 404, errorBody('NotFound', `no local route ${method} ${path}`), cors);
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const built = apiGatewayEvent({ method, path, rawQueryString, headers: { ...headers, 'x-forwarded-proto': 'http' }, body: body || undefined, sourceIp: req.socket.remoteAddress ?? '127.0.0.1' });
    if (!built) return send(res, 404, errorBody('NotFound', `no route ${method} ${path}`), cors);
    if (built.route.access !== 'public') {
      // What API Gateway's JWT authorizer does before the function is invoked.
      const claims = await auth.claims(headers.authorization);
      if (!claims) return send(res, 401, errorBody('Unauthorized', 'a valid bearer token is required (POST /local/token gives one)'), cors);
      (built.event.requestContext as unknown as Record<string, unknown>).authorizer = { jwt: { claims, scopes: null } };
    }
    const result = (await http[built.route.fn](built.event as never, lambdaContext)) as Exclude<APIGatewayProxyResultV2, string>;
    res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>), ...cors }).end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  };

  const inFlight = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    const work = handle(req, res).catch((error: unknown) => {
      console.error('local server error:', error);
      if (!res.headersSent) send(res, 500, errorBody('InternalError', 'internal error'));
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  liveSockets.attach(server);

  return {
    deps,
    sandbox,
    media,
    sns,
    liveSockets,
    poller,
    scheduler: localScheduler,
    url: baseUrl,
    async stop() {
      localScheduler.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests already inside a handler finish before their database goes away.
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
      // Everything acknowledged is stored; what the stream still holds for its readers is finished before stopping.
      await poller.stop(options.streams ?? true ? { drainMs: DRAIN_ON_STOP_MS } : {});
      await liveSockets.stop();
      deps.db.destroy();
    },
  };
}

/** How long a stop waits for the stream readers to finish what is pending. */
const DRAIN_ON_STOP_MS = 20_000;

/**
 * A request as both local servers take it: the body (at most 1 MB; undefined beyond), and the request target
 * as sent, never parsed as a URL, so `//host/path` is a path (API Gateway has no such route).
 */
export async function readRequest(req: IncomingMessage): Promise<{ body: string; path: string; rawQueryString: string; method: string } | undefined> {
  const bytes = await readBody(req, 1_000_000);
  if (!bytes) return undefined;
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  return {
    body: Buffer.from(bytes).toString('utf8'),
    path: queryAt < 0 ? target : target.slice(0, queryAt),
    rawQueryString: queryAt < 0 ? '' : target.slice(queryAt + 1),
    method: req.method ?? 'GET',
  };
}

/** A request's raw body, at most `limit` bytes (undefined beyond). */
async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...extraHeaders }).end(JSON.stringify(body));
}

/** A photo a customer could send, for trying MMS locally: `media: [{"url": "<base>/local/sample/photo.png", "contentType": "image/png"}]`. */
export const SAMPLE_PHOTO_PATH = '/local/sample/photo.png';
export const SAMPLE_PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

export const DEFAULT_CORS_ORIGINS = 'http://localhost:5173,http://127.0.0.1:5173';
const CORS_ALLOW_HEADERS = `authorization,content-type,idempotency-key,${LIVE_TAB_HEADER}`;
const CORS_ALLOW_METHODS = 'GET,POST,PUT,DELETE,OPTIONS';

/** The CORS headers an allowed origin gets on every answer; none for any other origin (the browser then refuses). */
export function corsHeaders(corsOrigins: ReadonlySet<string>, origin: string | undefined): Record<string, string> {
  if (!origin || !corsOrigins.has(origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'origin' };
}

/** API Gateway answers preflights itself: 204, with the allowed methods and headers for an allowed origin only. */
export function preflight(res: ServerResponse, cors: Record<string, string>) {
  const allowed = Object.keys(cors).length > 0;
  res
    .writeHead(204, allowed ? { ...cors, 'access-control-allow-methods': CORS_ALLOW_METHODS, 'access-control-allow-headers': CORS_ALLOW_HEADERS, 'access-control-max-age': '600' } : {})
    .end();
}
