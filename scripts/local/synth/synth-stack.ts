import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import type { FilterPattern } from '../../../shared/domain/event-filter';
import { errorBody } from '../../../shared/http/errors-middleware';
import { normalizePhone } from '../../../shared/domain/phone';
import { localSender } from '../../../shared/domain/inbound';
import { twilioSignature } from '../../../shared/providers/twilio-signature';
import { createDb } from '../../../shared/aws';
import { systemClock } from '../../../shared/domain/clock';
import type { Deps } from '../../../shared/deps';
import { apiGatewayEventFor } from '../api-event';
import { LocalAuth } from '../local-auth';
import { LocalSessions, type AppClientSettings } from '../local-sessions';
import { fileCheckpoint, StreamPoller } from '../stream-poller';
import { createTableFromTemplate } from '../create-table';
import { consoleFile, CONSOLE_SECURITY_HEADERS } from '../console-files';
import { TemplateModel, type CfnTemplate } from '../synthesized-template';
import { assertDeployable } from '../../../infra/deploy-rules';
import { AwsStandIns } from './aws-stand-ins';
import { FunctionWorker, type LambdaEnvironment } from './function-workers';
import { corsHeaders, DEFAULT_CORS_ORIGINS, preflight, readRequest, SAMPLE_PHOTO, SAMPLE_PHOTO_PATH } from '../server';
import { LocalLiveSockets } from '../live-sockets';

export interface SynthStackOptions {
  /** The cloud assembly `cdk synth` wrote (template and asset folders). */
  cdkOut: string;
  stackName?: string;
  port: number;
  host?: string;
  dynamoEndpoint: string;
  jwtSecret: string;
  /** Print every function's log lines, prefixed with its name. */
  echoLogs?: boolean;
  corsOrigins?: string;
  console?: { sellers: { id: string; name: string; groups?: string[] }[] };
  /** A persistent stack (`--data`): the buckets and the stream readers' positions are kept here across restarts. */
  dataDir?: string;
}

/** S3rver's fixed credentials: it checks every request's (and presigned URL's) SigV4 signature against them. */
const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const STREAM_POLL_MS = 200;

interface TemplateRoute {
  routeKey: string;
  method: string;
  pattern: RegExp;
  params: string[];
  literalSegments: number;
  jwt: boolean;
  functionLogicalId: string;
}

/**
 * `npm start -- --synth`: the deployment `cdk synth` describes, on this machine. Each function runs from its
 * bundle in cdk.out in a worker thread whose environment is the template's Environment for it; its SDK clients
 * reach DynamoDB Local, a local S3 server and the AWS stand-ins through AWS_ENDPOINT_URL_*. The table, routes,
 * authorisation, topics' subscriptions, event source mappings (filters, batch sizes, retries), rules, secrets
 * and asynchronous retry settings are all read from the template: a wiring mistake there fails here.
 */
export async function startSynthStack(options: SynthStackOptions) {
  const stackName = options.stackName ?? 'SmsCrm';
  const template = JSON.parse(await readFile(join(options.cdkOut, `${stackName}.template.json`), 'utf8')) as CfnTemplate;
  // What AWS would refuse to deploy does not start here either (a quota, an account prerequisite).
  assertDeployable(template);
  const model = new TemplateModel(template);
  const output = (name: string) => model.resolve((template.Outputs?.[name] as { Value: unknown } | undefined)?.Value) as string | undefined;

  const [tableId, tableResource] = model.resources('AWS::DynamoDB::Table')[0] ?? [];
  if (!tableId || !tableResource) throw new Error('the template has no table');
  const tableName = model.named(tableId).ref;
  await createTableFromTemplate(options.dynamoEndpoint, tableName, tableResource.Properties ?? {});

  const s3Dir = options.dataDir ? join(options.dataDir, 's3') : await mkdtemp(join(tmpdir(), 'sms-crm-s3-'));
  if (options.dataDir) await mkdir(s3Dir, { recursive: true });
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, configureBuckets: model.resources('AWS::S3::Bucket').map(([id]) => ({ name: model.named(id).ref })) });
  const s3Address = await s3.run();
  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;

  // The template's user pool (or, with jwtIssuer in context, the local issuer): the live function verifies its tokens itself.
  const userPoolId = output('UserPoolId');
  const userPoolClientId = output('UserPoolClientId');
  const auth = userPoolId && userPoolClientId ? await LocalAuth.asUserPool(options.jwtSecret, `https://cognito-idp.${model.deployment.region}.amazonaws.com/${userPoolId}`, userPoolClientId) : new LocalAuth(options.jwtSecret);
  const corsOrigins = new Set((options.corsOrigins ?? DEFAULT_CORS_ORIGINS).split(',').map((o) => o.trim()).filter(Boolean));
  const workers = new Map<string, FunctionWorker>();
  const invoked = new Set<string>();
  const invoke = async (logicalId: string, event: unknown) => {
    const worker = workers.get(logicalId);
    if (!worker) throw new Error(`no function ${logicalId} in the template`);
    invoked.add(worker.fn.name);
    return worker.invoke(event);
  };
  let url = '';
  const standIns = new AwsStandIns(model, invoke);
  await standIns.start();
  const twilioSecretArn = output('TwilioSecretArn');
  const twilio = new TwilioStandIn(() => url, () => (JSON.parse((twilioSecretArn && standIns.secretValue(twilioSecretArn)) || '{}') as { authToken?: string }).authToken || undefined);
  const routes = templateRoutes(model);
  // The WebSocket API: $connect / $disconnect invoke the template's function; frames arrive through the management API stand-in.
  const liveApi = templateLiveApi(model);
  const liveSockets = new LocalLiveSockets(async (event) => {
    const target = liveApi?.routes.get(event.requestContext.routeKey);
    if (!target) return { statusCode: 200 };
    return (await invoke(target, { ...event, requestContext: { ...event.requestContext, apiId: liveApi!.apiRef, stage: liveApi!.stage, domainName: `${liveApi!.apiRef}.execute-api.${model.deployment.region}.amazonaws.com`, requestId: randomUUID() }, isBase64Encoded: false })) as { statusCode?: number };
  });

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      console.error('synth stack error:', error);
      if (!res.headersSent) send(res, 500, errorBody('InternalError', 'internal error'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  url = `http://${options.host ?? '127.0.0.1'}:${options.port}`;
  liveSockets.attach(server);
  const customResources = new CustomResourceRequests();

  const environment: LambdaEnvironment = {
    region: model.deployment.region,
    dynamodbEndpoint: options.dynamoEndpoint,
    s3Endpoint,
    awsEndpoint: standIns.url,
    credentials: S3_CREDENTIALS,
    redirects: [
      ['https://api.twilio.com/', `${url}/local/twilio/`],
      // The user pool's JWKS (the live function's token check) and the WebSocket stage's management API.
      [`https://cognito-idp.${model.deployment.region}.amazonaws.com/`, `${url}/local/cognito/`],
      ...(liveApi ? [[`https://${liveApi.apiRef}.execute-api.${model.deployment.region}.amazonaws.com/`, `${url}/local/execute-api/`] as [string, string]] : []),
      [`https://sns.${model.deployment.region}.amazonaws.com${standIns.certificatePath}`, `${standIns.url}${standIns.certificatePath}`],
    ],
  };
  const functions = model.functions();
  for (const fn of functions.values()) {
    if (!fn.assetPath) throw new Error(`${fn.name}: the template names no asset folder (synthesize with asset metadata on, as cdk synth does)`);
    workers.set(fn.logicalId, new FunctionWorker(fn, join(options.cdkOut, fn.assetPath), environment, options.echoLogs ?? false));
  }

  // The table stream's event source mappings, as the template configures them.
  const tableStreamArn = model.named(tableId).attributes.StreamArn;
  const readers: StreamPoller[] = [];
  for (const [, mapping] of model.resources('AWS::Lambda::EventSourceMapping')) {
    const props = model.resolve(mapping.Properties) as { EventSourceArn: string; FunctionName: string; BatchSize?: number; MaximumRetryAttempts?: number; FilterCriteria?: { Filters: { Pattern: string }[] } };
    if (props.EventSourceArn !== tableStreamArn) continue;
    readers.push(
      new StreamPoller(options.dynamoEndpoint, tableName, async (event) => (await invoke(props.FunctionName, event)) as never, {
        batchSize: props.BatchSize ?? 100,
        maxRetries: props.MaximumRetryAttempts ?? 10,
        filters: props.FilterCriteria ? props.FilterCriteria.Filters.map((f) => JSON.parse(f.Pattern) as FilterPattern) : 'every change',
        ...(options.dataDir ? { checkpoint: fileCheckpoint(join(options.dataDir, 'streams', `${functionLogicalIdOf(props.FunctionName)}.json`)) } : {}),
      }),
    );
  }
  for (const reader of readers) reader.start(STREAM_POLL_MS);


  const appClient = appClientSettings(model, userPoolClientId);
  const sessions = new LocalSessions(auth, Date.now, appClient);
  const local = async (method: string, path: string, body: string): Promise<{ status: number; body: unknown } | undefined> => {
    const input = parseJson(body);
    // Sign-in, renewal and revocation, as the template's app client would answer them.
    const signIn = await sessions.route(method, path, body);
    if (signIn) return signIn;
    if (method === 'POST' && path === '/local/provider/inbound') {
      // A customer's SMS to an End User Messaging number: the service publishes it to the two-way topic.
      const from = typeof input?.from === 'string' ? localSender(input.from, 'US') : undefined;
      const to = typeof input?.to === 'string' ? normalizePhone(input.to, 'US') : undefined;
      if (!from || !to || typeof input?.body !== 'string') return { status: 400, body: errorBody('ValidationError', 'body must be {"from", "to", "body"} with phone numbers') };
      const inboundMessageId = randomUUID();
      standIns.publish(output('InboundSmsTopicArn')!, JSON.stringify({ originationNumber: from, destinationNumber: to, messageKeyword: 'KEYWORD_LOCAL', messageBody: input.body, inboundMessageId, previousPublishedMessageId: null }));
      return { status: 202, body: { inboundMessageId } };
    }
    const httpsTopic = /^\/local\/sns\/(inbound-sms|sms-events)\/https$/.exec(path)?.[1];
    if (method === 'POST' && httpsTopic) {
      // The topic's HTTPS subscription: SNS POSTs the signed notification to the callback route.
      if (!input) return { status: 400, body: errorBody('ValidationError', 'the body must be the SNS Message as JSON') };
      const topicArn = output(httpsTopic === 'inbound-sms' ? 'InboundSmsTopicArn' : 'SmsEventsTopicArn')!;
      const delivered = await fetch(`${url}/callbacks/sns`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' }, body: JSON.stringify(standIns.signedNotification(topicArn, body)) });
      return { status: delivered.status, body: parseJson(await delivered.text()) ?? {} };
    }
    if (method === 'GET' && path === '/local/provider/outbox') return { status: 200, body: { items: [...standIns.eumOutbox.map((m) => ({ provider: 'eum', ...m })), ...twilio.outbox] } };
    if (method === 'GET' && path === '/local/sns/published') return { status: 200, body: { items: standIns.published } };
    if (method === 'GET' && path === '/local/events') return { status: 200, body: { items: standIns.events } };
    if (method === 'POST' && path === '/local/schedules/run') return { status: 200, body: { invoked: standIns.runSchedules() } };
    const answered = /^\/local\/cloudformation\/([\w-]+)$/.exec(path)?.[1];
    if (method === 'PUT' && answered) {
      // A custom resource's answer to CloudFormation (its pre-signed ResponseURL).
      customResources.answer(answered, input ?? {});
      return { status: 200, body: {} };
    }
    if (method === 'GET' && path === '/local/deployment') {
      return {
        status: 200,
        body: {
          functions: [...functions.values()].map((fn) => ({ name: fn.name, logicalId: fn.logicalId, invoked: invoked.has(fn.name) })),
          awsEndpoint: standIns.url,
          twilioSecretArn,
          publicBaseUrl: [...functions.values()].find((fn) => fn.name === 'twilio-callbacks')?.environment.PUBLIC_BASE_URL,
          topics: { inboundSms: output('InboundSmsTopicArn'), smsEvents: output('SmsEventsTopicArn') },
          failures: { invocations: standIns.failedInvocations, queues: Object.fromEntries(standIns.queues), streams: readers.flatMap((r) => r.failed), unsupported: standIns.unsupported, schedules: standIns.scheduler.fired.filter((f) => (f.outcome as { error?: string } | undefined)?.error) },
          // EventBridge Scheduler's stand-in: schedules waiting, and those that ran.
          schedules: { pending: [...standIns.scheduler.schedules.values()], fired: standIns.scheduler.fired.length },
        },
      };
    }
    const logsOf = /^\/local\/logs\/([\w-]+)$/.exec(path)?.[1];
    if (method === 'GET' && logsOf) {
      const fn = [...workers.values()].find((w) => w.fn.name === logsOf);
      return fn ? { status: 200, body: { lines: fn.logs } } : { status: 404, body: errorBody('NotFound', `no function ${logsOf}`) };
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const request = await readRequest(req);
    if (!request) return send(res, 413, errorBody('PayloadTooLarge', 'the body is larger than 1 MB'));
    const { body, path, rawQueryString, method } = request;
    const cors = corsHeaders(corsOrigins, req.headers.origin);
    if (method === 'OPTIONS') return preflight(res, cors);
    if (path.startsWith('/local/twilio/')) return twilio.handle(method, path.slice('/local/twilio'.length), body, res);
    if (path.startsWith('/local/execute-api/')) return manageConnection(liveSockets, method, path.slice('/local/execute-api'.length), body, res);
    if (method === 'GET' && /^\/local\/cognito\/[\w-]+\/\.well-known\/jwks\.json$/.test(path)) return send(res, auth.jwks() ? 200 : 404, auth.jwks() ?? { message: 'no user pool' });
    if (method === 'GET' && path === SAMPLE_PHOTO_PATH) return void res.writeHead(200, { 'content-type': 'image/png' }).end(SAMPLE_PHOTO);
    if (path.startsWith('/local/')) {
      const answer = await local(method, path, body);
      return answer ? send(res, answer.status, answer.body, cors) : send(res, 404, errorBody('NotFound', `no local route ${method} ${path}`), cors);
    }
    if (method === 'GET' && path === '/config.json') {
      return send(res, 200, { apiUrl: url, liveUrl: `${url.replace(/^http/, 'ws')}/live`, auth: { kind: 'local', sellers: options.console?.sellers ?? [], ...(appClient.clientId ? { clientId: appClient.clientId } : {}) }, pollMs: 2000, maxPollMs: 10_000, quietHours: process.env.QUIET_HOURS ?? 'off' }, { ...cors, 'cache-control': 'no-store' });
    }
    const route = matchTemplateRoute(routes, method, path);
    if (!route) {
      if (method === 'GET') {
        const file = await consoleFile(path);
        if (file) return void res.writeHead(200, { 'content-type': file.type, ...CONSOLE_SECURITY_HEADERS }).end(file.body);
      }
      // API Gateway's own answer for a request no route matches.
      return send(res, 404, { message: 'Not Found' }, cors);
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const event = apiGatewayEventFor({ method, path, rawQueryString, headers: { ...headers, 'x-forwarded-proto': 'https' }, body: body || undefined, sourceIp: req.socket.remoteAddress ?? '127.0.0.1' }, route.route.routeKey, route.params);
    if (route.route.jwt) {
      const claims = await auth.claims(headers.authorization);
      if (!claims) return send(res, 401, { message: 'Unauthorized' }, cors);
      (event.requestContext as unknown as Record<string, unknown>).authorizer = { jwt: { claims, scopes: null } };
    }
    let result: { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean };
    try {
      result = (await invoke(route.route.functionLogicalId, event)) as typeof result;
    } catch (error) {
      // A function error or timeout: API Gateway answers for the function.
      console.error(`${route.route.routeKey}: ${(error as Error).message}`);
      return send(res, 500, { message: 'Internal Server Error' }, cors);
    }
    res.writeHead(result.statusCode ?? 200, { ...(result.headers ?? {}), ...cors }).end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
  };

  /** The seed's Twilio secret value, as an operator sets it after the first deploy. */
  const setTwilioSecret = (credentials: { accountSid: string; authToken: string }) => {
    if (twilioSecretArn) standIns.putSecret(twilioSecretArn, JSON.stringify(credentials));
  };

  // CloudFormation's custom resources, as a deploy creates them, once the server answers their ResponseURL (the migrations start here, as after a deploy).
  for (const [logicalId, resource] of Object.entries(model.template.Resources).filter(([, r]) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')) {
    const props = model.resolve(resource.Properties) as { ServiceToken: string } & Record<string, unknown>;
    const answer = customResources.expect(logicalId);
    await invoke(functionLogicalIdOf(props.ServiceToken), { RequestType: 'Create', ServiceToken: props.ServiceToken, ResponseURL: `${url}/local/cloudformation/${logicalId}`, StackId: `arn:aws:cloudformation:${model.deployment.region}:${model.deployment.account}:stack/local/1`, RequestId: randomUUID(), ResourceType: resource.Type, LogicalResourceId: logicalId, ResourceProperties: props });
    const { Status, Reason } = (await answer) as { Status?: string; Reason?: string };
    if (Status !== 'SUCCESS') throw new Error(`custom resource ${logicalId} answered ${Status}: ${Reason}`);
  }

  return {
    url,
    model,
    functions,
    standIns,
    /** A client for seeding: the source's DynamoDB access to the template's table. */
    deps: { db: createDb({ endpoint: options.dynamoEndpoint, region: 'us-east-1' }), table: tableName, clock: systemClock, defaultRegion: 'US' } satisfies Deps,
    setTwilioSecret,
    invoked,
    workers,
    liveSockets,
    auth,
    async stop() {
      await liveSockets.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // What the stream still holds is finished before stopping (nothing acknowledged is left unhandled).
      await Promise.all(readers.map((r) => r.stop({ drainMs: 20_000 })));
      await standIns.stop();
      await Promise.all([...workers.values()].map((w) => w.stop()));
      await s3.close();
      if (!options.dataDir) await rm(s3Dir, { recursive: true, force: true });
    },
  };
}

export type SynthStack = Awaited<ReturnType<typeof startSynthStack>>;

/** The HTTP API's routes from the template: route key, JWT or not, and the function its integration invokes. */
export function templateRoutes(model: TemplateModel): TemplateRoute[] {
  const out: TemplateRoute[] = [];
  const httpApis = new Set(model.resources('AWS::ApiGatewayV2::Api').filter(([, api]) => api.Properties?.ProtocolType === 'HTTP').map(([id]) => id));
  for (const [, resource] of model.resources('AWS::ApiGatewayV2::Route')) {
    if (!httpApis.has((resource.Properties?.ApiId as { Ref?: string } | undefined)?.Ref ?? '')) continue;
    const props = model.resolve(resource.Properties) as { RouteKey: string; AuthorizationType?: string; Target: string };
    const integrationId = props.Target.replace(/^integrations\//, '');
    const integration = model.resolve(model.template.Resources[integrationId]?.Properties) as { IntegrationUri: string } | undefined;
    if (!integration) throw new Error(`route ${props.RouteKey} targets ${integrationId}, which the template does not define`);
    const [method, routePath] = props.RouteKey.split(' ') as [string, string];
    const params: string[] = [];
    const segments = routePath.split('/').filter(Boolean);
    const pattern = new RegExp(
      `^/${segments
        .map((segment) => {
          const param = /^\{(\w+)(\+?)\}$/.exec(segment);
          if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          params.push(param[1]!);
          return param[2] ? '(.+)' : '([^/]+)';
        })
        .join('/')}$`,
    );
    out.push({ routeKey: props.RouteKey, method, pattern, params, literalSegments: segments.filter((s) => !s.startsWith('{')).length, jwt: props.AuthorizationType === 'JWT', functionLogicalId: integration.IntegrationUri.split(':function:')[1]!.split(':')[0]! });
  }
  // API Gateway prefers the most specific route: more literal segments first.
  return out.sort((a, b) => b.literalSegments - a.literalSegments);
}

/** The WebSocket API: its name once deployed, its stage, and the function behind each route key (MOCK routes have none). */
export function templateLiveApi(model: TemplateModel): { apiRef: string; stage: string; routes: Map<string, string> } | undefined {
  const [apiId] = model.resources('AWS::ApiGatewayV2::Api').find(([, api]) => api.Properties?.ProtocolType === 'WEBSOCKET') ?? [];
  if (!apiId) return undefined;
  const ofApi = (resource: { Properties?: Record<string, unknown> }) => (resource.Properties?.ApiId as { Ref?: string } | undefined)?.Ref === apiId;
  const stage = model.resources('AWS::ApiGatewayV2::Stage').find(([, s]) => ofApi(s))?.[1].Properties?.StageName as string | undefined;
  const routes = new Map<string, string>();
  for (const [, route] of model.resources('AWS::ApiGatewayV2::Route').filter(([, r]) => ofApi(r))) {
    const props = model.resolve(route.Properties) as { RouteKey: string; Target: string };
    const integration = model.resolve(model.template.Resources[props.Target.replace(/^integrations\//, '')]?.Properties) as { IntegrationType: string; IntegrationUri?: string } | undefined;
    if (integration?.IntegrationType !== 'AWS_PROXY' || !integration.IntegrationUri) continue;
    routes.set(props.RouteKey, integration.IntegrationUri.split(':function:')[1]!.split(/[:/]/)[0]!);
  }
  return { apiRef: model.named(apiId).ref, stage: stage ?? '$default', routes };
}

/**
 * API Gateway's management API for the WebSocket stage, as the notifier's SDK client reaches it (its requests to
 * `https://{api}.execute-api.{region}.amazonaws.com/{stage}/@connections/{id}` are redirected here).
 */
function manageConnection(sockets: LocalLiveSockets, method: string, path: string, body: string, res: ServerResponse) {
  const connectionId = /^\/[^/]+\/@connections\/([^/]+)$/.exec(path)?.[1];
  if (!connectionId) return send(res, 404, { message: 'Not Found' });
  const id = decodeURIComponent(connectionId);
  const gone = () => void res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' }).end(JSON.stringify({ message: 'Gone' }));
  if (method === 'POST') return void sockets.post(id, body).then((outcome) => (outcome === 'sent' ? void res.writeHead(200).end() : gone()));
  if (method === 'DELETE') return void sockets.close(id).then(() => void res.writeHead(204).end());
  return send(res, 405, { message: 'Method Not Allowed' });
}

function matchTemplateRoute(routes: TemplateRoute[], method: string, path: string): { route: TemplateRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: Object.fromEntries(route.params.map((name, i) => [name, match[i + 1]!])) };
  }
  return undefined;
}

/**
 * Twilio's API and media as the bundles reach them (their `https://api.twilio.com/` requests are redirected here):
 * a customer's MMS files, and Messages.json sends, each followed by the signed status callback Twilio would make.
 */
class TwilioStandIn {
  readonly outbox: { provider: 'twilio'; sid: string; to: string; from: string; body: string }[] = [];

  constructor(
    private readonly apiUrl: () => string,
    /** The auth token in the stack's Twilio secret, once set. */
    private readonly authToken: () => string | undefined,
  ) {}

  async handle(method: string, path: string, body: string, res: ServerResponse) {
    if (method === 'GET' && /^\/2010-04-01\/Accounts\/\w+\/Messages\/\w+\/Media\/\w+$/.test(path)) return void res.writeHead(200, { 'content-type': 'image/png' }).end(SAMPLE_PHOTO);
    const account = /^\/2010-04-01\/Accounts\/(\w+)\/Messages\.json$/.exec(path)?.[1];
    if (method === 'POST' && account) {
      const form = new URLSearchParams(body);
      const sid = `SM${randomUUID().replace(/-/g, '')}`;
      this.outbox.push({ provider: 'twilio', sid, to: form.get('To') ?? '', from: form.get('From') ?? '', body: form.get('Body') ?? '' });
      const statusCallback = form.get('StatusCallback');
      if (statusCallback) setTimeout(() => void this.report(statusCallback, account, sid, form), 50);
      return send(res, 201, { sid, account_sid: account, status: 'queued', to: form.get('To'), from: form.get('From'), body: form.get('Body') });
    }
    return send(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
  }

  /** Twilio POSTs the status to the callback URL it was given (the deployed API's), signed over that URL. */
  private async report(statusCallback: string, accountSid: string, sid: string, sent: URLSearchParams) {
    const token = this.authToken();
    if (!token) return;
    const fields = { MessageSid: sid, AccountSid: accountSid, MessageStatus: 'delivered', To: sent.get('To') ?? '', From: sent.get('From') ?? '' };
    const local = `${this.apiUrl()}${new URL(statusCallback).pathname.replace(/^\/\$default/, '')}`;
    await fetch(local, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(token, statusCallback, Object.entries(fields)) }, body: new URLSearchParams(fields).toString() }).catch(() => undefined);
  }

}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value = body ? (JSON.parse(body) as unknown) : {};
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...extraHeaders }).end(JSON.stringify(body));
}

const VALIDITY_UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

/**
 * The template's app client, as the local sign-in plays it: its token and session lifetimes and revocation. A client
 * the console could not use as deployed (a secret, which a browser cannot keep, or an implicit flow instead of the
 * authorization code with PKCE) stops the start, as it would stop the console's sign-in.
 */
export function appClientSettings(model: TemplateModel, clientId: string | undefined): AppClientSettings {
  const [, client] = model.resources('AWS::Cognito::UserPoolClient')[0] ?? [];
  if (!client) return {};
  const props = (client.Properties ?? {}) as { GenerateSecret?: boolean; AllowedOAuthFlows?: string[]; AccessTokenValidity?: number; RefreshTokenValidity?: number; EnableTokenRevocation?: boolean; TokenValidityUnits?: { AccessToken?: string; RefreshToken?: string } };
  if (props.GenerateSecret) throw new Error('the app client has a secret: a browser console cannot sign in with it (authorization code with PKCE needs a public client)');
  const flows = props.AllowedOAuthFlows ?? [];
  if (flows.length > 0 && (flows.includes('implicit') || !flows.includes('code'))) throw new Error(`the app client allows OAuth flows ${flows.join(', ')}: the console signs in with the authorization code and PKCE only`);
  // Cognito's defaults where the template sets none: access tokens in hours, refresh tokens in days (30).
  const access = props.AccessTokenValidity !== undefined ? props.AccessTokenValidity * (VALIDITY_UNIT_SECONDS[props.TokenValidityUnits?.AccessToken ?? 'hours'] ?? 3600) : 3600;
  const refresh = props.RefreshTokenValidity !== undefined ? props.RefreshTokenValidity * (VALIDITY_UNIT_SECONDS[props.TokenValidityUnits?.RefreshToken ?? 'days'] ?? 86_400) : 30 * 86_400;
  return { ...(clientId ? { clientId } : {}), tokenSeconds: access, sessionSeconds: refresh, revocation: props.EnableTokenRevocation ?? true };
}

/** A function's logical id from the ARN a template names it by (the model resolves `Fn::GetAtt …Arn` to one). */
function functionLogicalIdOf(arn: string): string {
  return arn.includes(':function:') ? arn.split(':function:')[1]!.split(':')[0]! : arn;
}

/** CloudFormation's side of custom resources: each request waits for the answer the function PUTs to its ResponseURL. */
class CustomResourceRequests {
  private readonly waiting = new Map<string, (answer: unknown) => void>();

  expect(logicalId: string, timeoutMs = 60_000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`custom resource ${logicalId} never answered CloudFormation`)), timeoutMs);
      this.waiting.set(logicalId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  answer(logicalId: string, body: unknown): void {
    this.waiting.get(logicalId)?.(body);
    this.waiting.delete(logicalId);
  }
}
