import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { matchesFilter, type FilterPattern } from '../../../shared/domain/event-filter';
import { makeSigningCertificate, signSns } from '../sns-signing';
import type { TemplateModel } from '../synthesized-template';
import { FunctionError } from './function-workers';
import { LocalScheduler } from '../local-scheduler';

/** Runs a function of the template by its logical id: the `--synth` stack's Lambda. */
export type InvokeFunction = (logicalId: string, event: unknown) => Promise<unknown>;

export interface Published {
  topicArn: string;
  messageId: string;
  message: string;
  attributes: Record<string, string>;
}

export interface FailedInvocation {
  functionLogicalId: string;
  event: unknown;
  error: string;
}

/** The SMS End User Messaging accepted (the stand-in's outbox). */
export interface EumSend {
  messageId: string;
  destination: string;
  origination: string;
  body: string;
  configurationSet?: string;
  context?: Record<string, string>;
  /** SendMediaMessage: the files, as S3 URIs of the media bucket. */
  media?: string[];
}

/** Lambda's asynchronous retries (two by default), shortened: AWS waits about a minute, then two. */
const ASYNC_RETRY_DELAYS_MS = [100, 200];
const SNS_CERT_PATH = '/SimpleNotificationService-10ca1c0ffee.pem';

/**
 * The AWS services the bundles call, other than DynamoDB and S3, on one local endpoint that speaks each one's
 * wire protocol for the operations this stack uses (the service is read from the request's SigV4 credential scope;
 * signatures are not verified): SNS (query protocol) delivering to the template's Lambda subscriptions, SQS and
 * End User Messaging (JSON 1.0), EventBridge and Secrets Manager (JSON 1.1) with the template's rules and secrets,
 * and Lambda's Invoke (REST JSON) with asynchronous retries and on-failure queues as the template configures them.
 * Anything else answers an error and is listed in `unsupported`, so a call this stack starts making is noticed.
 */
export class AwsStandIns {
  readonly published: Published[] = [];
  readonly events: Record<string, unknown>[] = [];
  /** Messages by queue ARN: failure queues (SendMessage, and asynchronous invocations that kept failing). */
  readonly queues = new Map<string, unknown[]>();
  readonly eumOutbox: EumSend[] = [];
  readonly failedInvocations: FailedInvocation[] = [];
  readonly unsupported: string[] = [];
  private readonly secrets = new Map<string, string>();
  private readonly signing = makeSigningCertificate();
  private readonly inFlight = new Set<Promise<unknown>>();
  private server: Server | undefined;
  url = '';
  /**
   * EventBridge Scheduler: one-time schedules fire on time and invoke their target asynchronously, only through a
   * role of the template that the scheduler service may assume and that may invoke that function.
   */
  readonly scheduler = new LocalScheduler(async (input, schedule) => {
    if (!this.roleMayInvoke(schedule.roleArn, schedule.targetArn)) throw new Error(`role ${schedule.roleArn} may not invoke ${schedule.targetArn}`);
    this.invokeAsync(functionId(schedule.targetArn), input);
  });

  constructor(
    private readonly model: TemplateModel,
    private readonly invoke: InvokeFunction,
  ) {
    for (const [id, secret] of model.resources('AWS::SecretsManager::Secret')) {
      const props = secret.Properties ?? {};
      this.secrets.set(model.named(id).ref, typeof props.SecretString === 'string' ? props.SecretString : randomBytes(36).toString('base64url').slice(0, 48));
    }
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: unknown) => json(res, 500, { __type: 'InternalFailure', message: (error as Error).message })));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.scheduler.stop();
    await Promise.allSettled([...this.inFlight]);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Resolves once every delivery and asynchronous invocation started so far (and those they started) has ended. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** What an operator does after the first deploy: `aws secretsmanager put-secret-value`. */
  putSecret(arn: string, value: string) {
    this.secrets.set(arn, value);
  }

  secretValue(arn: string): string | undefined {
    return this.secrets.get(arn);
  }

  /** SNS's signing certificate URL path, served here; bundles reach it through their fetch redirect. */
  get certificatePath() {
    return SNS_CERT_PATH;
  }

  /** Publishes as an AWS service would (End User Messaging into its topics): delivered to the topic's subscribers. */
  publish(topicArn: string, message: string, attributes: Record<string, string> = {}): string {
    if (!this.topicArns().has(topicArn)) throw new Error(`no topic ${topicArn} in the template`);
    const messageId = randomUUID();
    this.published.push({ topicArn, messageId, message, attributes });
    for (const [id, subscription] of this.model.resources('AWS::SNS::Subscription')) {
      const props = this.model.resolve(subscription.Properties) as { TopicArn: string; Protocol: string; Endpoint: string; FilterPolicy?: unknown };
      if (props.TopicArn !== topicArn) continue;
      if (props.Protocol !== 'lambda' || props.FilterPolicy) throw new Error(`subscription ${id}: only unfiltered lambda subscriptions are emulated`);
      const event = { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: `${topicArn}:${id}`, Sns: this.snsMessage(topicArn, messageId, message, attributes) }] };
      this.invokeAsync(functionId(props.Endpoint), event);
    }
    return messageId;
  }

  /** An HTTPS subscription's delivery: the notification SNS would POST, signed (version 2) with the stand-in's certificate. */
  signedNotification(topicArn: string, message: string) {
    return signSns(
      { Type: 'Notification', MessageId: randomUUID(), TopicArn: topicArn, Message: message, Timestamp: new Date().toISOString(), SigningCertURL: `https://sns.${this.model.deployment.region}.amazonaws.com${SNS_CERT_PATH}`, UnsubscribeURL: `https://sns.${this.model.deployment.region}.amazonaws.com/?Action=Unsubscribe` },
      this.signing.privateKeyPem,
    );
  }

  /** Lambda's asynchronous invocation: retried twice (or as the function's EventInvokeConfig says), then sent to its on-failure queue. */
  invokeAsync(logicalId: string, event: unknown): void {
    const config = this.asyncConfig(logicalId);
    const run = (async () => {
      let error = '';
      for (let attempt = 0; attempt <= config.retries; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, ASYNC_RETRY_DELAYS_MS[attempt - 1] ?? 200));
        try {
          await this.invoke(logicalId, event);
          return;
        } catch (e) {
          error = e instanceof FunctionError ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
        }
      }
      this.failedInvocations.push({ functionLogicalId: logicalId, event, error });
      if (config.onFailure) this.enqueue(config.onFailure, { requestContext: { functionArn: logicalId, condition: 'RetriesExhausted' }, responsePayload: { errorMessage: error }, requestPayload: event });
    })();
    this.track(run);
  }

  /** Runs the template's schedule rules now (EventBridge would, on their rate). */
  runSchedules(): number {
    let ran = 0;
    for (const [id, rule] of this.model.resources('AWS::Events::Rule')) {
      const props = this.model.resolve(rule.Properties) as { ScheduleExpression?: string; Targets: { Arn: string }[] };
      if (!props.ScheduleExpression) continue;
      for (const target of props.Targets) {
        this.invokeAsync(functionId(target.Arn), { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: this.model.deployment.account, time: new Date().toISOString(), region: this.model.deployment.region, resources: [`arn:aws:events:${this.model.deployment.region}:${this.model.deployment.account}:rule/${id}`], detail: {} });
        ran++;
      }
    }
    return ran;
  }

  private track(work: Promise<unknown>) {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private asyncConfig(logicalId: string): { retries: number; onFailure?: string } {
    for (const [, config] of this.model.resources('AWS::Lambda::EventInvokeConfig')) {
      const props = this.model.resolve(config.Properties) as { FunctionName: string; MaximumRetryAttempts?: number; DestinationConfig?: { OnFailure?: { Destination: string } } };
      if (props.FunctionName !== this.model.named(logicalId).ref) continue;
      return { retries: props.MaximumRetryAttempts ?? 2, ...(props.DestinationConfig?.OnFailure ? { onFailure: props.DestinationConfig.OnFailure.Destination } : {}) };
    }
    return { retries: 2 };
  }

  private enqueue(queueArn: string, message: unknown) {
    const messages = this.queues.get(queueArn) ?? [];
    messages.push(message);
    this.queues.set(queueArn, messages);
  }

  private topicArns(): Set<string> {
    return new Set(this.model.resources('AWS::SNS::Topic').map(([id]) => this.model.named(id).ref));
  }

  private snsMessage(topicArn: string, messageId: string, message: string, attributes: Record<string, string>) {
    return {
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: topicArn,
      Subject: null,
      Message: message,
      Timestamp: new Date().toISOString(),
      SignatureVersion: '2',
      Signature: 'local',
      SigningCertUrl: `https://sns.${this.model.deployment.region}.amazonaws.com${SNS_CERT_PATH}`,
      UnsubscribeUrl: `https://sns.${this.model.deployment.region}.amazonaws.com/?Action=Unsubscribe`,
      MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { Type: 'String', Value: v }])),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'GET' && req.url === SNS_CERT_PATH) return void res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(this.signing.certificatePem);
    const service = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '')?.[1];
    const target = String(req.headers['x-amz-target'] ?? '');
    switch (service) {
      case 'sns':
        return this.sns(new URLSearchParams(body), res);
      case 'sqs':
        return this.jsonService(res, target, body, { 'AmazonSQS.SendMessage': (input) => this.sqsSendMessage(input) });
      case 'events':
        return this.jsonService(res, target, body, { 'AWSEvents.PutEvents': (input) => this.putEvents(input) });
      case 'secretsmanager':
        return this.jsonService(res, target, body, {
          'secretsmanager.GetSecretValue': (input) => this.getSecretValue(input),
          'secretsmanager.PutSecretValue': (input) => {
            const arn = this.secretArn(String(input.SecretId));
            this.secrets.set(arn, String(input.SecretString));
            return { ARN: arn, VersionId: randomUUID(), VersionStages: ['AWSCURRENT'] };
          },
        });
      case 'sms-voice':
        return this.jsonService(res, target, body, { 'PinpointSMSVoiceV2.SendTextMessage': (input) => this.sendTextMessage(input), 'PinpointSMSVoiceV2.SendMediaMessage': (input) => this.sendTextMessage(input, 'MEDIA') });
      case 'lambda':
        return this.lambdaInvoke(req, body, res);
      case 'scheduler':
        return this.schedulerRequest(req, body, res);
      default:
        this.unsupported.push(`${service ?? 'unsigned'} ${req.method} ${req.url} ${target}`);
        return json(res, 400, { __type: 'UnknownOperationException', message: `the local stand-ins do not emulate ${service ?? 'this request'}` });
    }
  }

  private sns(form: URLSearchParams, res: ServerResponse) {
    const action = form.get('Action');
    if (action !== 'Publish') {
      this.unsupported.push(`sns ${action}`);
      return xml(res, 400, snsError('InvalidAction', `${action} is not emulated`));
    }
    const topicArn = form.get('TopicArn') ?? '';
    if (!this.topicArns().has(topicArn)) return xml(res, 404, snsError('NotFound', 'Topic does not exist'));
    const attributes: Record<string, string> = {};
    for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) attributes[form.get(`MessageAttributes.entry.${i}.Name`)!] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
    const messageId = this.publish(topicArn, form.get('Message') ?? '', attributes);
    return xml(res, 200, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`);
  }

  private sqsSendMessage(input: Record<string, unknown>) {
    const queueArn = this.model.queueArnOfUrl(String(input.QueueUrl));
    const known = this.model.resources('AWS::SQS::Queue').some(([id]) => this.model.named(id).attributes.Arn === queueArn);
    if (!known) throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    const body = String(input.MessageBody);
    this.enqueue(queueArn, JSON.parse(body) as unknown);
    return { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(body).digest('hex') };
  }

  /** PutEvents: kept for `/local/events`, and delivered to the template's rules whose pattern matches (on the default bus). */
  private putEvents(input: Record<string, unknown>) {
    const entries = (input.Entries as Record<string, unknown>[] | undefined) ?? [];
    const d = this.model.deployment;
    const out = entries.map((entry) => {
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: d.account,
        time: new Date().toISOString(),
        region: d.region,
        resources: entry.Resources ?? [],
        detail: JSON.parse(String(entry.Detail ?? '{}')) as unknown,
      };
      this.events.push({ ...event, eventBusName: entry.EventBusName ?? 'default' });
      for (const [, rule] of this.model.resources('AWS::Events::Rule')) {
        const props = this.model.resolve(rule.Properties) as { EventPattern?: FilterPattern; EventBusName?: string; Targets: { Arn: string }[] };
        if (!props.EventPattern || (props.EventBusName ?? 'default') !== (entry.EventBusName ?? 'default')) continue;
        if (!matchesFilter(props.EventPattern, event)) continue;
        for (const target of props.Targets) this.invokeAsync(functionId(target.Arn), event);
      }
      return { EventId: event.id };
    });
    return { FailedEntryCount: 0, Entries: out };
  }

  private secretArn(id: string): string {
    for (const arn of this.secrets.keys()) if (arn === id || arn.includes(`:secret:${id}-`)) return arn;
    throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }

  private getSecretValue(input: Record<string, unknown>) {
    const arn = this.secretArn(String(input.SecretId));
    return { ARN: arn, Name: arn.split(':secret:')[1]!.replace(/-\w{6}$/, ''), SecretString: this.secrets.get(arn), VersionId: 'local', VersionStages: ['AWSCURRENT'], CreatedDate: Math.floor(Date.now() / 1000) };
  }

  /** SendTextMessage and SendMediaMessage: accepted, kept in the outbox, then reported through the SMS events topic as the configuration set's destination would. */
  private sendTextMessage(input: Record<string, unknown>, kind: 'TEXT' | 'MEDIA' = 'TEXT') {
    const send: EumSend = {
      ...(input.MediaUrls ? { media: input.MediaUrls as string[] } : {}),
      messageId: randomUUID(),
      destination: String(input.DestinationPhoneNumber),
      origination: String(input.OriginationIdentity),
      body: String(input.MessageBody ?? ''),
      ...(input.ConfigurationSetName ? { configurationSet: String(input.ConfigurationSetName) } : {}),
      ...(input.Context ? { context: input.Context as Record<string, string> } : {}),
    };
    this.eumOutbox.push(send);
    const failed = send.destination.endsWith('0999');
    const topicArn = this.model.resolve(this.model.template.Outputs?.SmsEventsTopicArn && (this.model.template.Outputs.SmsEventsTopicArn as { Value: unknown }).Value) as string | undefined;
    if (topicArn) {
      const now = Date.now();
      const report = {
        eventType: `${kind}_${failed ? 'CARRIER_UNREACHABLE' : 'DELIVERED'}`,
        eventVersion: '1.0',
        eventTimestamp: now,
        isFinal: true,
        originationPhoneNumber: send.origination,
        destinationPhoneNumber: send.destination,
        isoCountryCode: 'US',
        messageId: send.messageId,
        messageRequestTimestamp: now - 50,
        messageEncoding: 'GSM',
        messageType: 'TRANSACTIONAL',
        messageStatus: failed ? 'CARRIER_UNREACHABLE' : 'DELIVERED',
        messageStatusDescription: failed ? 'Phone carrier is currently unreachable' : 'Message has been accepted by phone',
        totalMessageParts: 1,
        ...(send.context ? { context: send.context } : {}),
      };
      this.track(new Promise((r) => setTimeout(r, 50)).then(() => this.publish(topicArn, JSON.stringify(report))));
    }
    return { MessageId: send.messageId };
  }

  /** EventBridge Scheduler's REST JSON: CreateSchedule (POST /schedules/{Name}) and DeleteSchedule (DELETE, ?groupName=). */
  private schedulerRequest(req: IncomingMessage, body: string, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const name = /^\/schedules\/([^/]+)$/.exec(url.pathname)?.[1];
    const answer = (status: number, payload: unknown, errorType?: string) => void res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) }).end(JSON.stringify(payload));
    try {
      if (name && req.method === 'POST') {
        const input = JSON.parse(body || '{}') as Record<string, unknown>;
        const group = String(input.GroupName ?? 'default');
        if (!this.model.resources('AWS::Scheduler::ScheduleGroup').some(([, g]) => (g.Properties as { Name?: string } | undefined)?.Name === group)) return answer(404, { message: `Schedule group ${group} does not exist.` }, 'ResourceNotFoundException');
        return answer(200, this.scheduler.createSchedule({ ...input, Name: decodeURIComponent(name) }));
      }
      if (name && req.method === 'DELETE') return answer(200, this.scheduler.deleteSchedule({ Name: decodeURIComponent(name), GroupName: url.searchParams.get('groupName') ?? 'default' }));
    } catch (error) {
      const e = error as Error;
      const status = { ConflictException: 409, ResourceNotFoundException: 404 }[e.name] ?? 400;
      return answer(status, { message: e.message }, e.name);
    }
    this.unsupported.push(`scheduler ${req.method} ${url.pathname}`);
    return answer(400, { message: 'only CreateSchedule and DeleteSchedule are emulated' }, 'ValidationException');
  }

  /** A role of the template that EventBridge Scheduler may assume, with a statement allowing lambda:InvokeFunction on the target. */
  private roleMayInvoke(roleArn: string, functionArn: string): boolean {
    for (const [id, role] of this.model.resources('AWS::IAM::Role')) {
      if (this.model.named(id).attributes.Arn !== roleArn) continue;
      const trust = JSON.stringify((role.Properties as { AssumeRolePolicyDocument?: unknown }).AssumeRolePolicyDocument ?? {});
      if (!trust.includes('scheduler.amazonaws.com')) return false;
      return this.model.rolePolicies(id).some((p) => JSON.stringify(p.document).includes('lambda:InvokeFunction') && JSON.stringify(this.model.resolve(p.document)).includes(`:function:${functionId(functionArn)}"`));
    }
    return false;
  }

  private async lambdaInvoke(req: IncomingMessage, body: string, res: ServerResponse) {
    const name = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1];
    if (!name) {
      this.unsupported.push(`lambda ${req.method} ${req.url}`);
      return json(res, 400, { __type: 'UnknownOperationException', message: 'only Invoke is emulated' });
    }
    const logicalId = functionId(decodeURIComponent(name));
    if (!this.model.template.Resources[logicalId]) return json(res, 404, { __type: 'ResourceNotFoundException', Message: `Function not found: ${name}` });
    const event = JSON.parse(body || '{}') as unknown;
    if (req.headers['x-amz-invocation-type'] === 'Event') {
      this.invokeAsync(logicalId, event);
      return void res.writeHead(202).end();
    }
    try {
      return json(res, 200, (await this.invoke(logicalId, event)) ?? null);
    } catch (error) {
      const e = error as FunctionError;
      return void res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify({ errorType: e.errorType ?? 'Error', errorMessage: e.message }));
    }
  }

  private jsonService(res: ServerResponse, target: string, body: string, operations: Record<string, (input: Record<string, unknown>) => unknown>) {
    const operation = operations[target];
    if (!operation) {
      this.unsupported.push(target);
      return json(res, 400, { __type: 'UnknownOperationException', message: `${target} is not emulated` });
    }
    try {
      return json(res, 200, operation(JSON.parse(body || '{}') as Record<string, unknown>));
    } catch (error) {
      if (error instanceof AwsError) return json(res, 400, { __type: error.type, message: error.message });
      throw error;
    }
  }
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** A function's logical id from its Ref, name or ARN (the template names functions after their logical ids). */
function functionId(reference: string): string {
  return reference.includes(':function:') ? reference.split(':function:')[1]!.split(':')[0]! : reference;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
}

function xml(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/xml' }).end(body);
}

function snsError(code: string, message: string) {
  return `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}
