import { Aspects, CfnOutput, CustomResource, Duration, Fn, RemovalPolicy, SecretValue, Stack, type IAspect, type StackProps } from 'aws-cdk-lib';
import { CfnRoute, CorsHttpMethod, HttpApi, HttpMethod, HttpStage, WebSocketApi, WebSocketStage, type CfnApi, type CfnStage, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration, WebSocketMockIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { CfnUserPoolGroup, UserPool, UserPoolClient, UserPoolEmail, AccountRecovery, FeaturePlan, OAuthScope, StandardThreatProtectionMode, type IUserPool } from 'aws-cdk-lib/aws-cognito';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { CfnPolicy, Effect, ManagedPolicy, Policy, PolicyStatement, ServicePrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition, type CfnFunction, type IEventSourceDlq, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IConstruct } from 'constructs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership, type CfnBucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { ConsoleSettings } from './constructs/seller-console';
import { acknowledge, nagEnvironment } from './nag';
import { readContext, type StackContext } from './context';
import { timeoutFor } from './timeouts';
import { DISPATCHER_FILTERS, STREAM_BATCH_SIZE, STREAM_FILTERS } from '../shared/store/stream-consumers';
import type { FilterPattern } from '../shared/domain/event-filter';
import { LIVE_TAB_HEADER } from '../shared/domain/live';
import { SmsTable } from './constructs/table';
import { MIGRATIONS } from '../shared/store/migrations/index';
import { SmsFunction } from './constructs/lambda-function';
import { OperatorAlarms } from './constructs/alarms';
import { OperatorDashboard } from './constructs/dashboard';
import { SellerConsole } from './constructs/seller-console';
import { grantTable, unionOf, type TableAccess } from './constructs/table-access';
import { routes, type FunctionName } from '../shared/http/routes';
import { CRM_EVENT_SOURCE, crmDetailTypes } from '../shared/domain/crm-events';

export type SmsCrmStackProps = StackProps;

/**
 * What each flow does in the table (key prefixes from shared/store/keys.ts, actions as its store modules
 * issue them). The IAM check fails any test whose call a list leaves out; the grant-coverage report lists
 * what no test uses (README, "The IAM check").
 */
/**
 * An inbound message (receiveInbound): routing reads, a lead for an unknown number, the conversation, the pointer, STOP/START.
 * Team inboxes: auto-assignment reads the team, its members' availability and (gsi2) their unanswered conversations, and
 * takes the team's turn (TURN#); the message is counted in its day's response-time buckets (RESPONSES#).
 */
const inboundFlow: TableAccess = {
  reads: ['GetItem', 'BatchGetItem', 'Query'],
  indexes: ['gsi1', 'gsi2'],
  // STOP and START update the consent state item (an opt-in no longer deletes it): no DeleteItem.
  writes: { 'PHONE#': ['PutItem', 'UpdateItem'], 'CONV#': ['PutItem'], 'PMSG#': ['PutItem'], 'RECORD#lead#': ['PutItem'], 'TURN#': ['UpdateItem'], 'RESPONSES#': ['UpdateItem'] },
};
/** A delivery report (applyDeliveryReport): the message's status, or a pending report while the send has not recorded the id. */
const reportFlow: TableAccess = { reads: ['GetItem', 'ConditionCheckItem'], indexes: [], writes: { 'CONV#': ['UpdateItem'], 'PMSG#': ['PutItem'] } };
/** A CRM record upsert (RecordStore.upsert): the record, its phone index, its opportunity links; dropped numbers and links deleted. */
const recordUpsert: TableAccess = { reads: ['GetItem'], indexes: [], writes: { 'RECORD#': ['PutItem', 'DeleteItem'], 'PHONE#': ['PutItem', 'DeleteItem'] } };
/** The public callbacks take inbound messages and delivery reports; never the directory, templates, notifications or idempotency keys. */
const callbackAccess = unionOf(inboundFlow, reportFlow);

/** What each function reads and writes in the table. */
export const tableAccess = {
  directory: unionOf(recordUpsert, {
    // BatchGetItem: the feed heads of the teams a seller joins (they start at each feed's end).
    reads: ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem'],
    indexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'],
    writes: { 'SELLER#': ['PutItem'], 'TEAM#': ['PutItem', 'DeleteItem'], 'NUMBER#': ['PutItem'], 'PHONE#': ['UpdateItem'] },
  }),
  'seller-api': {
    reads: ['GetItem', 'BatchGetItem', 'Query'],
    indexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'],
    // Read marks, unread pointers, notification state and team feed read markers (SELLER#), templates and their
    // name claims, the conversation's read counters.
    writes: { 'SELLER#': ['PutItem', 'UpdateItem', 'DeleteItem'], 'TEMPLATE#': ['PutItem', 'DeleteItem'], 'CONV#': ['UpdateItem'] },
  },
  'outbound-send': {
    reads: ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem'],
    indexes: ['gsi1'],
    // Pending delivery reports (under PMSG#) are applied, then deleted, once the send records the provider id.
    // UPLOAD#: a seller's outbound MMS upload (POST /media), read back in a BatchGetItem when a send names it.
    // An upload a send used is deleted: one send per upload.
    // SCHEDULE#: a scheduled message's pointer (PATCH and DELETE /messages/{id}); STEPRUN#: an admin's automated step run.
    // RESPONSES#: a seller's reply to a waiting customer adds its response time to the day's buckets.
    writes: { 'PHONE#': ['PutItem', 'UpdateItem'], 'CONV#': ['PutItem', 'UpdateItem'], 'PMSG#': ['PutItem', 'DeleteItem'], 'IDEMPOTENCY#': ['PutItem'], 'UPLOAD#': ['PutItem', 'DeleteItem'], 'SCHEDULE#': ['PutItem'], 'STEPRUN#': ['PutItem'], 'RESPONSES#': ['UpdateItem'] },
  },
  // A schedule's fire (the message's checks, its claim, the provider's answer), the CRM's automated steps (a send or
  // a schedule of their own, or a skip recorded under STEPRUN#), and after-hours replies (their run under STEPRUN#).
  'scheduled-send': {
    reads: ['GetItem', 'Query'],
    indexes: ['gsi1'],
    writes: { 'PHONE#': ['PutItem', 'UpdateItem'], 'CONV#': ['PutItem', 'UpdateItem'], 'PMSG#': ['PutItem', 'DeleteItem'], 'SCHEDULE#': ['PutItem'], 'STEPRUN#': ['PutItem'] },
  },
  // A move onto a record that already holds the conversation merges it: provider-message pointers follow the messages.
  reassignment: {
    reads: ['GetItem', 'BatchGetItem', 'Query'],
    indexes: [],
    // SELLER#: a hand-off's notification to the seller and their unread counter.
    writes: { 'PHONE#': ['PutItem', 'UpdateItem', 'DeleteItem'], 'CONV#': ['PutItem', 'UpdateItem', 'DeleteItem'], 'PMSG#': ['UpdateItem'], 'SELLER#': ['PutItem', 'UpdateItem'] },
  },
  // Consent changes and erasure on request: the customer's footprint deleted, provider pointers left as tombstones, the audit entry.
  privacy: {
    reads: ['GetItem', 'Query'],
    indexes: ['gsi1', 'gsi2'],
    // PHONE# updates: a recorded choice clears the likely opt-out on the customer's conversations with that number.
    // SELLER# and TEAM#: notifications and pointers about the customer's conversations.
    writes: { 'PHONE#': ['PutItem', 'UpdateItem', 'DeleteItem'], 'CONV#': ['DeleteItem'], 'PMSG#': ['PutItem', 'DeleteItem'], 'SELLER#': ['DeleteItem'], 'TEAM#': ['DeleteItem'], 'RECORD#': ['PutItem', 'DeleteItem'], 'ERASURE#': ['UpdateItem'], 'SCHEDULE#': ['DeleteItem'] },
  },
  'twilio-callbacks': callbackAccess,
  'sns-callbacks': callbackAccess,
  inbound: inboundFlow,
  'delivery-reports': reportFlow,
  notifier: {
    reads: ['GetItem', 'BatchGetItem', 'Query'],
    indexes: ['gsi1', 'gsi2'],
    // Notifications and unread pointers (25 a BatchWriteItem), owner propagation onto conversations, TTL clean-up,
    // live connections that are gone or expired forgotten (SELLER# map entry, LIVE# item).
    // TEAM#: team feeds (a notification and the feed's head, in one transaction) and team unread pointers.
    writes: { 'SELLER#': ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'], 'TEAM#': ['PutItem', 'UpdateItem', 'DeleteItem'], 'PHONE#': ['UpdateItem'], 'CONV#': ['UpdateItem', 'DeleteItem'], 'LIVESELLER#': ['UpdateItem'], 'LIVE#': ['DeleteItem'] },
  },
  // The live channel's $connect and $disconnect: the seller's connection map (apart from SELLER#, so never a
  // profile or its roles) and the connection's own item.
  // LIVETEAM#: the seller's presence in each of their teams (read from their profile).
  live: { reads: ['GetItem'], indexes: [], writes: { 'LIVESELLER#': ['UpdateItem'], 'LIVE#': ['PutItem', 'DeleteItem'], 'LIVETEAM#': ['PutItem'] } },
  // Conditional updates of queued messages found through gsi1: no item read.
  'outbound-sweeper': { reads: [], indexes: ['gsi1'], writes: { 'CONV#': ['UpdateItem'] } },
  // The one function that scans: each migration reads the table page by page. Its writes are the migrations'
  // conditional updates (one per item) under the prefixes of the item kinds they carry forward, and its records.
  migrations: {
    reads: ['GetItem', 'BatchGetItem', 'Query', 'Scan'],
    indexes: [],
    writes: { 'MIGRATION#': ['PutItem', 'UpdateItem'], 'CONV#': ['UpdateItem'], 'SELLER#': ['UpdateItem'], 'TEAM#': ['UpdateItem'], 'NUMBER#': ['UpdateItem'], 'PHONE#': ['UpdateItem'], 'RECORD#': ['UpdateItem'], 'TEMPLATE#': ['PutItem'] },
  },
  'media-copier': { reads: ['GetItem'], indexes: [], writes: { 'CONV#': ['UpdateItem'] } },
  // Reads a message again before telling the CRM of it; writes nothing.
  'crm-events': { reads: ['GetItem'], indexes: [], writes: {} },
  // Reads only the stream records it is given; touches no item.
  'stream-dispatcher': { reads: [], indexes: [], writes: {} },
  'record-sync': recordUpsert,
} satisfies Record<string, TableAccess>;

/**
 * The whole backend. Context values (cdk.json or -c):
 * defaultRegion, destroyData, apiGatewayAccountRole, alarmEmail, sesFromEmail, userPoolId, jwtIssuer + jwtAudience [+ jwksUri] (external IdP instead of the user pool),
 * pinpointApplicationId, eumConfigurationSet, twilioSecretArn, publicBaseUrl, pinpointEventStream, corsOrigins, retentionDays, eventBusName,
 * console (true: the seller console on CloudFront; cognitoDomainPrefix, or consoleClientId with jwtIssuer), sessionHours.
 */
export class SmsCrmStack extends Stack {
  constructor(scope: Construct, id: string, props: SmsCrmStackProps = {}) {
    super(scope, id, props);
    const ctx = readContext(this.node);

    const { table } = new SmsTable(this, 'Data', { destroyData: ctx.destroyData });
    // Customer data outlives the stack unless the deployment says otherwise (context destroyData=true).
    const dataRemoval = ctx.destroyData ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    // Inline policy names carry the stack and region, so two stacks' policies read apart in IAM.
    Aspects.of(this).add(new StackPolicyNames(this));

    // --- Topics: seller notifications (fan-out), AWS SMS inbound and events, operator alarms.
    const messagingKey = new Key(this, 'MessagingKey', { enableKeyRotation: true, description: 'Encrypts the SMS and notification topics' });
    // AWS End User Messaging / Pinpoint publish two-way SMS and events into the encrypted topics, for this
    // account's resources only (aws:SourceAccount / aws:SourceArn close the confused-deputy path).
    const smsServices = [
      { principal: 'sms-voice.amazonaws.com', sourceArn: `arn:${this.partition}:sms-voice:${this.region}:${this.account}:*` },
      { principal: 'mobiletargeting.amazonaws.com', sourceArn: `arn:${this.partition}:mobiletargeting:${this.region}:${this.account}:*` },
    ];
    const fromThisAccount = (sourceArn: string) => ({ StringEquals: { 'aws:SourceAccount': this.account }, ArnLike: { 'aws:SourceArn': sourceArn } });
    for (const service of smsServices) {
      messagingKey.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal(service.principal)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: fromThisAccount(service.sourceArn),
        }),
      );
    }
    // CloudWatch alarms publish to the encrypted operators topic: without this grant every alarm is dropped.
    messagingKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account }, ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` } },
      }),
    );
    // Signature version 2 (SHA256): the SNS callback accepts no other.
    const topic = (topicId: string, displayName: string) => new Topic(this, topicId, { displayName, masterKey: messagingKey, enforceSSL: true, signatureVersion: '2' });
    const notificationsTopic = topic('SellerNotifications', 'SMS CRM seller notifications');
    const inboundSmsTopic = topic('InboundSms', 'Two-way SMS inbound messages');
    const smsEventsTopic = topic('SmsEvents', 'SMS delivery events');
    const operatorsTopic = topic('Operators', 'SMS CRM operator alarms');
    for (const t of [inboundSmsTopic, smsEventsTopic]) {
      for (const service of smsServices) {
        t.addToResourcePolicy(
          new PolicyStatement({
            principals: [new ServicePrincipal(service.principal)],
            actions: ['sns:Publish'],
            resources: [t.topicArn],
            conditions: fromThisAccount(service.sourceArn),
          }),
        );
      }
    }
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: CloudWatch alarms of
    // this account must be let in by name, or every alarm is dropped.
    operatorsTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [operatorsTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account }, ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` } },
      }),
    );
    const alarms = new OperatorAlarms(this, 'Alarms', operatorsTopic);
    // Alarms reach a person: an address from context confirms the subscription by e-mail.
    if (ctx.alarmEmail) operatorsTopic.addSubscription(new EmailSubscription(ctx.alarmEmail));

    // --- Secrets: read at run time, never in plain environment variables.
    const twilioSecret = ctx.twilioSecretArn
      ? Secret.fromSecretCompleteArn(this, 'TwilioSecret', ctx.twilioSecretArn)
      : new Secret(this, 'TwilioSecret', {
          description: 'Twilio {"accountSid","authToken"}; set both after the first deploy (until then Twilio callbacks answer 503)',
          // JSON with empty fields from the start: the functions read it as "not configured yet", never as a parse error.
          secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ accountSid: '', authToken: '' })),
        });
    const cursorSecret = new Secret(this, 'CursorSigningKey', {
      description: 'HMAC key that signs pagination cursors',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    for (const secret of [twilioSecret, cursorSecret]) {
      if (secret instanceof Secret) {
        acknowledge(secret, 'AwsSolutions-SMG4', 'Rotated by hand, not by a rotation Lambda: Twilio credentials in Twilio\'s console, then put-secret-value; the cursor key with put-secret-value of a new random value (see README, Deploy). Functions re-read both within 5 minutes; open cursors then answer 400 and clients restart paging.');
      }
    }

    // The seller console (context console=true): its origin is a browser client of the API.
    const sellerConsole = ctx.console ? new SellerConsole(this, 'Console', ctx.jwtIssuer ? { issuer: ctx.jwtIssuer } : {}) : undefined;
    const corsOrigins = [...ctx.corsOrigins, ...(sellerConsole ? [sellerConsole.url] : [])];
    const api = new HttpApi(this, 'Api', {
      description: 'SMS CRM seller API and provider callbacks',
      createDefaultStage: false,
      // Browser clients of the seller API: their origins from context (comma-separated) and the console's, none by default.
      ...(corsOrigins.length ? { corsPreflight: { allowOrigins: corsOrigins, allowMethods: [CorsHttpMethod.ANY], allowHeaders: ['authorization', 'content-type', 'idempotency-key', LIVE_TAB_HEADER] } } : {}),
    });
    const publicBaseUrl = ctx.publicBaseUrl ?? `https://${api.apiId}.execute-api.${this.region}.${this.urlSuffix}`;

    const retentionDays = ctx.retentionDays;
    const commonEnvironment = { TABLE_NAME: table.tableName, DEFAULT_REGION: ctx.defaultRegion, ...(retentionDays ? { RETENTION_DAYS: String(retentionDays) } : {}) };
    // Every function and failure queue, for the operator's dashboard (below).
    const allFunctions = new Map<string, IFunction>();
    const failureQueues = new Map<string, Queue>();
    const fn = (name: keyof typeof tableAccess, description: string, extra: Record<string, string> = {}, memorySize?: number, timeout?: Duration) => {
      const created = new SmsFunction(this, pascal(name), { name, description, environment: { ...commonEnvironment, ...extra }, ...(memorySize ? { memorySize } : {}), ...(timeout ? { timeout } : {}) }).fn;
      grantTable(table, created, tableAccess[name]);
      alarms.functionHealth(pascal(name), created);
      allFunctions.set(name, created);
      return created;
    };
    const deadLetters = (name: string) => {
      const queue = new Queue(this, `${name}Dlq`, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
      acknowledge(queue, 'AwsSolutions::AwsSolutions-SQS3', 'This queue is itself a dead-letter queue; failed events rest here for inspection and redrive.');
      alarms.deadLetters(name, queue);
      failureQueues.set(name, queue);
      return queue;
    };
    // Batches of the table stream that still fail after their retries, kept whole (an SQS destination would keep
    // only the stream position, which the stream forgets after 24 hours): `npm run replay-stream-failure` feeds one
    // back through its consumer. Customer data: encrypted, TLS only, private, deleted after 14 days.
    const streamFailures = new Bucket(this, 'StreamFailures', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(14) }],
      removalPolicy: dataRemoval,
      autoDeleteObjects: ctx.destroyData,
      // Request metrics on the whole bucket: every PUT is a failed batch, and the alarm below counts them.
      metrics: [{ id: 'FailedBatches' }],
    });
    acknowledge(streamFailures, 'AwsSolutions-S1', 'Written only by Lambda\'s event source mappings (failed stream batches); each PUT raises an alarm, and objects expire after 14 days.');
    alarms.failedStreamBatches(streamFailures);
    new CfnOutput(this, 'StreamFailuresBucketName', { value: streamFailures.bucketName });
    /**
     * A reader of the table's stream: bisected on error, a bounded number of retries and record age, the
     * records that still fail kept in a queue (alarmed on), and only the changes its filter selects.
     */
    const streamReading = (reader: keyof typeof STREAM_BATCH_SIZE, filters: FilterPattern[]) => ({
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: STREAM_BATCH_SIZE[reader],
      // The notifier sends the console's live frames: it takes each change as soon as the stream has it.
      maxBatchingWindow: Duration.seconds(reader === 'notifier' ? 0 : 1),
      bisectBatchOnError: true,
      retryAttempts: 10,
      maxRecordAge: Duration.hours(24),
      reportBatchItemFailures: true,
      onFailure: new S3FailureDestination(streamFailures),
      filters: filters.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
    });
    /** Asynchronous invocations (SNS, EventBridge): two retries, then the event rests in a queue. */
    const asyncFailures = (target: IFunction, name: string) => {
      const queue = deadLetters(name);
      target.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(queue) });
      return queue;
    };

    const snsTopicArns = [inboundSmsTopic.topicArn, smsEventsTopic.topicArn].join(',');
    const pinpointApplicationId = ctx.pinpointApplicationId;
    const functions = {
      directory: fn('directory', 'Directory (sellers, teams, numbers) and CRM records API', { CURSOR_SECRET_ARN: cursorSecret.secretArn }),
      'seller-api': fn('seller-api', 'My SMS, record conversations, messages, notifications, templates', { CURSOR_SECRET_ARN: cursorSecret.secretArn, QUIET_HOURS: ctx.quietHours }),
      'outbound-send': fn('outbound-send', 'Sends SMS through Pinpoint, End User Messaging, Twilio or the sandbox', {
        QUIET_HOURS: ctx.quietHours,
        TWILIO_SECRET_ARN: twilioSecret.secretArn,
        PUBLIC_BASE_URL: publicBaseUrl,
        ...(pinpointApplicationId ? { PINPOINT_APPLICATION_ID: pinpointApplicationId } : {}),
        ...(ctx.eumConfigurationSet ? { EUM_CONFIGURATION_SET: ctx.eumConfigurationSet } : {}),
      }),
      reassignment: fn('reassignment', 'Moves a conversation and its messages to another record'),
      privacy: fn('privacy', 'Consent (opt-out state, manual changes) and erasure of a customer on request', { CURSOR_SECRET_ARN: cursorSecret.secretArn }, 512, timeoutFor('privacy')),
      'twilio-callbacks': fn('twilio-callbacks', 'Twilio inbound and status webhooks (signature verified)', { TWILIO_SECRET_ARN: twilioSecret.secretArn, PUBLIC_BASE_URL: publicBaseUrl }),
      'sns-callbacks': fn('sns-callbacks', 'SNS HTTPS subscription endpoint (signature verified)', { SNS_ALLOWED_TOPIC_ARNS: snsTopicArns }),
    } satisfies Record<FunctionName, IFunction>;
    // GetSecretValue only (grantRead adds DescribeSecret, which no function calls).
    const readSecret = (secret: { secretArn: string }, reader: IFunction) => reader.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
    readSecret(twilioSecret, functions['outbound-send']);
    readSecret(twilioSecret, functions['twilio-callbacks']);
    readSecret(cursorSecret, functions['seller-api']);
    readSecret(cursorSecret, functions.directory);
    readSecret(cursorSecret, functions.privacy);

    // Sending: only the configured Pinpoint application; End User Messaging identities of this account.
    if (pinpointApplicationId) {
      functions['outbound-send'].addToRolePolicy(
        new PolicyStatement({ actions: ['mobiletargeting:SendMessages'], resources: [`arn:${this.partition}:mobiletargeting:${this.region}:${this.account}:apps/${pinpointApplicationId}/messages`] }),
      );
    }
    const eumResources = ['phone-number', 'pool', 'sender-id', 'configuration-set'].map((type) => `arn:${this.partition}:sms-voice:${this.region}:${this.account}:${type}/*`);
    functions['outbound-send'].addToRolePolicy(new PolicyStatement({ actions: ['sms-voice:SendTextMessage'], resources: eumResources }));
    const nagEnv = nagEnvironment(this);
    for (const type of ['phone-number', 'pool', 'sender-id', 'configuration-set']) {
      acknowledge(
        functions['outbound-send'].role!,
        `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:${nagEnv.region}:${nagEnv.account}:${type}/*]`,
        'Business numbers and their origination identities are assigned at run time from the directory; sending is limited to this account\'s End User Messaging identities in this region.',
      );
    }

    // --- Inbound two-way SMS: the topic invokes the inbound function directly.
    const inbound = fn('inbound', 'Routes two-way SMS from the AWS SMS topic onto CRM records');
    inboundSmsTopic.addSubscription(new LambdaSubscription(inbound, { deadLetterQueue: deadLetters('InboundSubscription') }));
    asyncFailures(inbound, 'Inbound');

    // --- Delivery reports: End User Messaging event destination (SNS), optionally the Pinpoint event stream (Kinesis).
    const deliveryReports = fn('delivery-reports', 'Applies SMS delivery reports to messages');
    smsEventsTopic.addSubscription(new LambdaSubscription(deliveryReports, { deadLetterQueue: deadLetters('SmsEventsSubscription') }));
    asyncFailures(deliveryReports, 'DeliveryReports');
    if (ctx.pinpointEventStream) {
      const eventStream = new Stream(this, 'PinpointEvents', { encryption: StreamEncryption.MANAGED, retentionPeriod: Duration.hours(24) });
      const pinpointRole = new Role(this, 'PinpointEventStreamRole', { assumedBy: new ServicePrincipal('pinpoint.amazonaws.com') });
      eventStream.grantWrite(pinpointRole);
      deliveryReports.addEventSource(
        new KinesisEventSource(eventStream, {
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: 100,
          bisectBatchOnError: true,
          retryAttempts: 10,
          maxRecordAge: Duration.hours(24),
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(deadLetters('PinpointEventStream')),
        }),
      );
      new CfnOutput(this, 'PinpointEventStreamArn', { value: eventStream.streamArn });
      new CfnOutput(this, 'PinpointEventStreamRoleArn', { value: pinpointRole.roleArn });
    }

    // --- Notifier: the table's stream (messages and notifications only) → notification items → SNS fan-out.
    const notifier = fn('notifier', 'Writes seller notifications, publishes them to SNS, keeps conversations in step with record owners', { NOTIFICATIONS_TOPIC_ARN: notificationsTopic.topicArn }, undefined, timeoutFor('notifier'));
    // Explicit actions (grantPublish would add kms:GenerateDataKey*).
    notifier.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [notificationsTopic.topicArn] }));
    // Functions that write under SELLER# (notifications, pointers, read marks) never write a profile's privileges.
    for (const writer of [notifier, functions['seller-api']]) writer.addToRolePolicy(denyProfilePrivilegeWrites(table.tableArn));
    notifier.addToRolePolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [messagingKey.keyArn] }));
    // The table stream has two readers (AWS's advice for a shard): the notifier, in order, and the dispatcher.
    const tableStream = new DynamoEventSource(table, streamReading('notifier', STREAM_FILTERS.notifier));
    notifier.addEventSource(tableStream);
    // The event source grants dynamodb:ListStreams, which has no resource-level permission, in the role's default policy.
    acknowledge(notifier.role!.node.findChild('DefaultPolicy'), 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', 'dynamodb:ListStreams (added by the table stream event source) supports no resource-level permission.');

    // --- MMS: a private, encrypted, TLS-only bucket of copies, expiring with the retention period; the copier fills it from the stream.
    const mediaBucket = new Bucket(this, 'Media', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy: dataRemoval,
      autoDeleteObjects: ctx.destroyData,
      lifecycleRules: [
        // Outbound MMS uploads no message used (a send copies its files under media/out/).
        { prefix: 'uploads/', expiration: Duration.days(1) },
        ...(retentionDays ? [{ expiration: Duration.days(Number(retentionDays)) }] : []),
      ],
    });
    if (sellerConsole) {
      // The console fetches a file through the API's redirect to a presigned URL; after that cross-origin
      // redirect the browser sends `Origin: null`, so only `*` can match. The presigned URL is the credential.
      mediaBucket.addCorsRule({ allowedOrigins: ['*'], allowedMethods: [HttpMethods.GET], maxAge: 600 });
      // The console uploads outbound MMS files straight to the bucket (a presigned POST), from its own origin.
      mediaBucket.addCorsRule({ allowedOrigins: [sellerConsole.url], allowedMethods: [HttpMethods.POST], allowedHeaders: ['*'], maxAge: 600 });
    }
    acknowledge(mediaBucket, 'AwsSolutions-S1', 'Access to customer files is through the API (presigned URLs issued per request, logged in API access logs); no public access path exists.');
    const mediaCopier = fn('media-copier', 'Copies MMS files from the provider into the media bucket', { MEDIA_BUCKET: mediaBucket.bucketName, TWILIO_SECRET_ARN: twilioSecret.secretArn }, undefined, timeoutFor('media-copier'));
    // Exact actions on the media prefix only (the grant helpers add wildcards such as s3:Abort*).
    const mediaObjects = mediaBucket.arnForObjects('media/*');
    mediaCopier.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [mediaObjects] }));
    readSecret(twilioSecret, mediaCopier);
    // Invoked by the stream dispatcher (below): its own retries and failure queue.
    asyncFailures(mediaCopier, 'MediaCopier');
    alarms.appMetric('MediaCopyFailed', 'MediaCopyFailed', 'media-copier', 'MMS files could not be copied after retries (messages are kept; see media[].reason)');
    functions['seller-api'].addEnvironment('MEDIA_BUCKET', mediaBucket.bucketName);
    // Outbound MMS: the browser uploads under uploads/ (a presigned POST signed with this role), a send copies the
    // file under media/out/, Twilio fetches it by a presigned URL, End User Messaging reads it itself (bucket policy).
    const send = functions['outbound-send'];
    send.addEnvironment('MEDIA_BUCKET', mediaBucket.bucketName);
    // DeleteObject: an upload once a message holds its copy, and a copy whose message was not stored.
    send.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: [mediaBucket.arnForObjects('uploads/*'), mediaBucket.arnForObjects('media/out/*')] }));
    send.addToRolePolicy(new PolicyStatement({ actions: ['sms-voice:SendMediaMessage'], resources: eumResources }));
    mediaBucket.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('sms-voice.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [mediaBucket.arnForObjects('media/out/*')],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account }, ArnLike: { 'aws:SourceArn': `arn:${this.partition}:sms-voice:${this.region}:${this.account}:*` } },
      }),
    );
    for (const prefix of ['uploads/*', 'media/out/*']) {
      acknowledge(send.role!.node.findChild('DefaultPolicy'), `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(mediaBucket.node.defaultChild as CfnBucket)}.Arn>/${prefix}]`, 'One object per outbound MMS file, keyed by upload and message at run time: these prefixes of the media bucket only.');
    }
    functions['seller-api'].addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [mediaObjects] }));
    functions.privacy.addEnvironment('MEDIA_BUCKET', mediaBucket.bucketName);
    functions.privacy.addToRolePolicy(new PolicyStatement({ actions: ['s3:DeleteObject'], resources: [mediaObjects] }));
    for (const role of [mediaCopier.role!, functions['seller-api'].role!, functions.privacy.role!]) {
      acknowledge(role.node.findChild('DefaultPolicy'), `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(mediaBucket.node.defaultChild as CfnBucket)}.Arn>/media/*]`, 'One object per MMS file, keyed by conversation, message and file at run time: the media prefix of the bucket, one exact action per function.');
    }
    new CfnOutput(this, 'MediaBucketName', { value: mediaBucket.bucketName });

    // --- Events to the CRM: the stream → one EventBridge event per change, on the configured bus (default: the account's).
    // A bus named by ARN (another account's, or one shared with this account) is granted by that ARN.
    const bus = ctx.eventBusName?.startsWith('arn:') ? EventBus.fromEventBusArn(this, 'CrmBus', ctx.eventBusName) : EventBus.fromEventBusName(this, 'CrmBus', ctx.eventBusName ?? 'default');
    const crmEventsFailures = deadLetters('CrmEvents');
    const crmEvents = fn('crm-events', 'Puts one EventBridge event per change (messages, moves, hand-offs, consent, erasure) for the CRM', {
      ...(ctx.eventBusName ? { EVENT_BUS_NAME: ctx.eventBusName } : {}),
      CRM_EVENTS_FAILURE_QUEUE_URL: crmEventsFailures.queueUrl,
    }, undefined, timeoutFor('crm-events'));
    crmEvents.addToRolePolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }));
    crmEvents.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [crmEventsFailures.queueArn] }));
    // Invoked by the stream dispatcher: a batch that fails as a whole is retried, then kept in the failure queue.
    crmEvents.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(crmEventsFailures) });

    // --- The stream's second reader: hands each consumer its changes as an asynchronous invocation.
    const dispatcher = fn('stream-dispatcher', 'Hands table changes to the media copier, the CRM publisher and after-hours replies, each with its own retries and failure queue', {
      MEDIA_COPIER_FUNCTION: mediaCopier.functionName,
      CRM_EVENTS_FUNCTION: crmEvents.functionName,
    }, undefined, timeoutFor('stream-dispatcher'));
    // Exact ARNs (grantInvoke would add every version and alias, a wildcard).
    dispatcher.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [mediaCopier.functionArn, crmEvents.functionArn] }));
    dispatcher.addEventSource(new DynamoEventSource(table, streamReading('stream-dispatcher', DISPATCHER_FILTERS)));
    acknowledge(dispatcher.role!.node.findChild('DefaultPolicy'), 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', 'dynamodb:ListStreams (added by the table stream event source) supports no resource-level permission.');
    alarms.appMetric('CrmEventsFailed', 'CrmEventsFailed', 'crm-events', 'CRM events still failed after retries and wait in the CrmEvents failure queue for a replay');
    new CfnOutput(this, 'CrmEventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'CrmEventSource', { value: CRM_EVENT_SOURCE });
    new CfnOutput(this, 'CrmEventDetailTypes', { value: crmDetailTypes.join(',') });

    // --- Interrupted sends: every 5 minutes, messages still queued past the grace period become unknown.
    const sweeper = fn('outbound-sweeper', 'Marks sends interrupted before the provider answered as unknown');
    new Rule(this, 'SweepQueued', { schedule: Schedule.rate(Duration.minutes(5)) }).addTarget(new LambdaTarget(sweeper, { retryAttempts: 2 }));

    // --- Migrations (shared/store/migrations): after each release is deployed, stored items of earlier releases are
    // carried forward, in the background. CloudFormation's request only starts them (the function answers it at once
    // and invokes itself asynchronously), so a deploy never waits; each run saves its place a minute before its
    // timeout and continues itself until every migration is done. A run that keeps failing lands in its failure
    // queue (alarmed); no item is ever half-written (one item, one conditional write).
    const migrations = fn('migrations', 'Carries stored items of earlier releases forward (versioned, resumable migrations, after each deploy)', {}, 512, Duration.minutes(15));
    asyncFailures(migrations, 'Migrations');
    // Its own default policy naming the function would be a dependency cycle (function → role policy → function).
    const continuePolicy = new Policy(this, 'MigrationsContinue', { roles: [migrations.role!], statements: [new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [migrations.functionArn] })] });
    const migrationsCode = (migrations.node.defaultChild as CfnFunction).code as CfnFunction.CodeProperty;
    const migrationTrigger = new CustomResource(this, 'MigrationTrigger', {
      serviceToken: migrations.functionArn,
      resourceType: 'Custom::Migrations',
      // A new bundle (every release that changes the migrations) or a new list updates the resource: the runs start.
      properties: { Migrations: MIGRATIONS.map((m) => m.id).join(','), Bundle: migrationsCode.s3Key ?? 'local' },
    });
    // The first run invokes the next at once: its grant must exist before CloudFormation's request.
    migrationTrigger.node.addDependency(table, continuePolicy);

    // --- CRM sync: RecordUpserted events on the default bus.
    const crmEventSource = ctx.crmEventSource;
    const recordSync = fn('record-sync', 'Upserts CRM records from EventBridge RecordUpserted events', { CRM_EVENT_SOURCE: crmEventSource });
    // Only the CRM's own events from this account: anyone able to put events on the bus is not the CRM.
    // On the default bus anyone in the account allowed events:PutEvents can claim source "crm"; a dedicated
    // bus (context crmEventBusName) whose resource policy admits only the CRM integration closes that.
    const crmInbound = ctx.crmEventBusName ? (ctx.crmEventBusName.startsWith('arn:') ? EventBus.fromEventBusArn(this, 'CrmInboundBus', ctx.crmEventBusName) : EventBus.fromEventBusName(this, 'CrmInboundBus', ctx.crmEventBusName)) : undefined;
    new Rule(this, 'RecordUpserted', { ...(crmInbound ? { eventBus: crmInbound } : {}), eventPattern: { source: [crmEventSource], detailType: ['RecordUpserted'], account: [this.account] } }).addTarget(
      new LambdaTarget(recordSync, { deadLetterQueue: deadLetters('RecordSyncRule'), retryAttempts: 8, maxEventAge: Duration.hours(6) }),
    );
    asyncFailures(recordSync, 'RecordSync');

    // --- Send later and the CRM's automated steps: one EventBridge Scheduler one-time schedule per scheduled message
    // (revision), in the stack's own group, invoking the scheduled-send function with a role that may do nothing else.
    // Group names hold at most 64 characters (a stack name up to 128).
    const scheduleGroup = new CfnScheduleGroup(this, 'ScheduledMessages', { name: `${this.stackName.slice(0, 55)}-messages` });
    const scheduledSend = fn('scheduled-send', 'Sends scheduled messages when their schedule fires, the CRM\'s automated SMS steps and after-hours replies', {
      QUIET_HOURS: ctx.quietHours,
      TWILIO_SECRET_ARN: twilioSecret.secretArn,
      PUBLIC_BASE_URL: publicBaseUrl,
      CRM_EVENT_SOURCE: crmEventSource,
      ...(pinpointApplicationId ? { PINPOINT_APPLICATION_ID: pinpointApplicationId } : {}),
      ...(ctx.eumConfigurationSet ? { EUM_CONFIGURATION_SET: ctx.eumConfigurationSet } : {}),
    }, undefined, timeoutFor('scheduled-send'));
    readSecret(twilioSecret, scheduledSend);
    // After-hours replies: the stream dispatcher hands it the inbound messages that get one.
    dispatcher.addEnvironment('AUTOMATIONS_FUNCTION', scheduledSend.functionName);
    dispatcher.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [scheduledSend.functionArn] }));
    if (pinpointApplicationId) {
      scheduledSend.addToRolePolicy(new PolicyStatement({ actions: ['mobiletargeting:SendMessages'], resources: [`arn:${this.partition}:mobiletargeting:${this.region}:${this.account}:apps/${pinpointApplicationId}/messages`] }));
    }
    scheduledSend.addToRolePolicy(new PolicyStatement({ actions: ['sms-voice:SendTextMessage'], resources: eumResources }));
    for (const type of ['phone-number', 'pool', 'sender-id', 'configuration-set']) {
      acknowledge(scheduledSend.role!, `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sms-voice:${nagEnv.region}:${nagEnv.account}:${type}/*]`, 'Business numbers are assigned at run time from the directory; sending is limited to this account\'s End User Messaging identities in this region.');
    }
    // Scheduler invokes Lambda asynchronously: the function's own retries and failure queue, as for EventBridge rules.
    asyncFailures(scheduledSend, 'ScheduledSend');
    const scheduleFailures = deadLetters('Schedules');
    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'EventBridge Scheduler: invokes the scheduled-send function for scheduled messages, nothing else',
    });
    // Its default policy is a resource of its own: the function's environment may name the role without a cycle.
    scheduleRole.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [scheduledSend.functionArn] }));
    scheduleRole.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [scheduleFailures.queueArn] }));
    const schedulesOfGroup = `arn:${this.partition}:scheduler:${this.region}:${this.account}:schedule/${scheduleGroup.name!}/*`;
    const schedulingEnvironment = { SCHEDULE_GROUP: scheduleGroup.name!, SCHEDULE_ROLE_ARN: scheduleRole.roleArn, SCHEDULE_DLQ_ARN: scheduleFailures.queueArn };
    for (const scheduler of [functions['outbound-send'], scheduledSend]) {
      scheduler.addToRolePolicy(new PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], resources: [schedulesOfGroup] }));
      scheduler.addToRolePolicy(new PolicyStatement({ actions: ['iam:PassRole'], resources: [scheduleRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }));
      for (const [name, value] of Object.entries(schedulingEnvironment)) scheduler.addEnvironment(name, value);
    }
    // An erasure deletes the schedules of the customer's scheduled messages.
    functions.privacy.addToRolePolicy(new PolicyStatement({ actions: ['scheduler:DeleteSchedule'], resources: [schedulesOfGroup] }));
    functions.privacy.addEnvironment('SCHEDULE_GROUP', scheduleGroup.name!);
    // The scheduled-send function defers into a schedule of its own: it learns its ARN from its invocation.
    functions['outbound-send'].addEnvironment('SCHEDULE_TARGET_ARN', scheduledSend.functionArn);
    for (const scheduler of [functions['outbound-send'], scheduledSend]) scheduler.addEnvironment('SCHEDULE_MIN_LEAD_SECONDS', String(ctx.scheduleMinLeadSeconds));
    for (const role of [functions['outbound-send'].role!, scheduledSend.role!, functions.privacy.role!]) {
      acknowledge(role.node.findChild('DefaultPolicy'), `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:${nagEnv.region}:${nagEnv.account}:schedule/${scheduleGroup.name!}/*]`, 'One schedule per scheduled message, named at run time: the schedules of this stack\'s group only.');
    }
    // The CRM's automated steps: SmsStepDue events of its source, from this account, as RecordUpserted.
    new Rule(this, 'SmsStepDue', { ...(crmInbound ? { eventBus: crmInbound } : {}), eventPattern: { source: [crmEventSource], detailType: ['SmsStepDue'], account: [this.account] } }).addTarget(
      new LambdaTarget(scheduledSend, { deadLetterQueue: deadLetters('SmsStepDueRule'), retryAttempts: 8, maxEventAge: Duration.hours(6) }),
    );
    new CfnOutput(this, 'ScheduleGroupName', { value: scheduleGroup.name! });
    alarms.appMetric('ScheduledSentLate', 'ScheduledSentLate', 'scheduled-send', 'Scheduled messages went more than 60 s after their time (Scheduler throttled, or the fire was retried)');

    // --- HTTP API: seller routes behind the JWT authorizer, provider callbacks public (verified in code).
    const { authorizer, hostedUi, tokenIssuer } = this.jwtAuthorizer(ctx, sellerConsole?.url);
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS });
    const stage = new HttpStage(this, 'DefaultStage', { httpApi: api, autoDeploy: true, throttle: SELLER_ROUTE_THROTTLE });
    // Each route has its own bucket: a burst of sellers' requests never makes a provider's callback answer 429.
    (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(
      routes.map((route) => {
        return [`${route.method} ${route.path}`, routeThrottle(route.access === 'public' ? CALLBACK_ROUTE_THROTTLE : SELLER_ROUTE_THROTTLE)];
      }),
    );
    (stage.node.defaultChild as CfnStage).accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId', ip: '$context.identity.sourceIp', routeKey: '$context.routeKey', status: '$context.status',
        latency: '$context.responseLatency', integrationError: '$context.integrationErrorMessage', sub: '$context.authorizer.claims.sub',
      }),
    };
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(route.fn)}Integration`, functions[route.fn]);
        integrations.set(route.fn, integration);
      }
      const [created] = api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, ...(route.access === 'public' ? {} : { authorizer }) });
      if (route.access === 'public') {
        acknowledge(created!, 'AwsSolutions-APIG4', 'Provider callbacks cannot carry our JWT; each request is verified in code (Twilio signature, SNS message signature).');
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url });

    // --- Live updates: a WebSocket API. $connect verifies the seller's JWT (the same tokens as the HTTP API);
    // the notifier, which already computes each change's viewers, posts the frames.
    const liveFunction = fn('live', 'Opens and closes the seller console\'s live connections (WebSocket $connect with the seller\'s JWT, $disconnect)', { ...tokenIssuer, ...(ctx.jwksUri ? { JWT_JWKS_URI: ctx.jwksUri } : {}) });
    const liveApi = new WebSocketApi(this, 'LiveApi', {
      description: 'SMS CRM live updates for the seller console (hints only; data through the HTTP API)',
      connectRouteOptions: { integration: new WebSocketLambdaIntegration('LiveConnect', liveFunction) },
      disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('LiveDisconnect', liveFunction) },
      // The console's keep-alive pings (API Gateway closes a connection idle for 10 minutes) cost no invocation:
      // a mock integration needs a request template that gives it a status, or each ping answers an error frame.
      defaultRouteOptions: { integration: new WebSocketMockIntegration('LivePing', { requestTemplates: { $default: '{"statusCode": 200}' }, templateSelectionExpression: '\\$default' }) },
    });
    const liveStage = new WebSocketStage(this, 'LiveStage', { webSocketApi: liveApi, stageName: 'live', autoDeploy: true, throttle: { rateLimit: 50, burstLimit: 100 } });
    const liveCfnStage = liveStage.node.defaultChild as CfnStage;
    // Stage metrics per route whatever the logging choice below.
    liveCfnStage.defaultRouteSettings = { ...(liveCfnStage.defaultRouteSettings as object), detailedMetricsEnabled: true };
    // Each route its own bucket: a flood of connects with bad tokens cannot use up the pings and disconnects of
    // the consoles already connected (their connects share the $connect bucket, and they fall back to polling).
    liveCfnStage.routeSettings = Object.fromEntries(Object.entries(LIVE_ROUTE_THROTTLE).map(([route, limits]) => [route, routeThrottle(limits)]));
    const accountLogging = ctx.apiGatewayAccountRole ? apiGatewayAccountLogging(this) : undefined;
    if (accountLogging) {
      // WebSocket (unlike HTTP) APIs log through the account's CloudWatch Logs role: the stage waits for it.
      const liveAccessLogs = new LogGroup(this, 'LiveAccessLogs', { retention: RetentionDays.THREE_MONTHS });
      liveCfnStage.accessLogSettings = {
        destinationArn: liveAccessLogs.logGroupArn,
        format: JSON.stringify({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', routeKey: '$context.routeKey', eventType: '$context.eventType', status: '$context.status', connectionId: '$context.connectionId', integrationError: '$context.integrationErrorMessage' }),
      };
      liveCfnStage.node.addDependency(accountLogging);
    }
    for (const route of liveApi.node.findAll().filter((c) => c instanceof CfnRoute)) {
      acknowledge(route, 'AwsSolutions-APIG4', 'A browser WebSocket cannot send an Authorization header: $connect verifies the JWT given as ?token= in the function (aws-jwt-verify), and refuses the connection without a valid one; other routes run on an open, authorised connection.');
    }
    // Only posting to and closing connections of this stage.
    notifier.addToRolePolicy(new PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: ['POST', 'DELETE'].map((method) => `arn:${this.partition}:execute-api:${this.region}:${this.account}:${liveApi.apiId}/${liveStage.stageName}/${method}/@connections/*`) }));
    for (const method of ['POST', 'DELETE']) {
      acknowledge(notifier.role!.node.findChild('DefaultPolicy'), `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${nagEnv.region}:${nagEnv.account}:<${this.getLogicalId(liveApi.node.defaultChild as CfnApi)}>/live/${method}/@connections/*]`, 'Connections are created at run time; the notifier posts to and closes connections of this WebSocket stage only.');
    }
    notifier.addEnvironment('LIVE_CONNECTIONS_URL', liveStage.callbackUrl);
    alarms.appMetric('LiveFramesFailed', 'LiveFramesFailed', 'notifier', 'Live frames could not be posted to the WebSocket API (consoles fall back to fetching on reconnect; check the management API and throttling)');
    new CfnOutput(this, 'LiveUrl', { value: liveStage.url });
    if (sellerConsole) {
      // An external identity provider's hosted UI is named in context; the user pool's is created above.
      const redirectUri = `${sellerConsole.url}/`;
      if (!hostedUi && !ctx.consoleClientId) throw new Error('console=true with jwtIssuer needs context consoleClientId (the issuer\'s OAuth app client for the console).');
      // An external issuer's endpoints come from its OIDC discovery document, read by the console at sign-in.
      const auth: ConsoleSettings['auth'] = hostedUi
        ? { kind: 'cognito', domain: hostedUi.domain, clientId: hostedUi.clientId, redirectUri }
        : { kind: 'oidc', issuer: ctx.jwtIssuer!, clientId: ctx.consoleClientId!, redirectUri };
      sellerConsole.deploy({ apiUrl: stage.url, liveUrl: liveStage.url, auth, quietHours: ctx.quietHours }, `https://${mediaBucket.bucketRegionalDomainName}`);
      new CfnOutput(this, 'ConsoleUrl', { value: `${sellerConsole.url}/` });
    }
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'InboundSmsTopicArn', { value: inboundSmsTopic.topicArn });
    new CfnOutput(this, 'SmsEventsTopicArn', { value: smsEventsTopic.topicArn });
    new CfnOutput(this, 'SellerNotificationsTopicArn', { value: notificationsTopic.topicArn });
    new CfnOutput(this, 'OperatorsTopicArn', { value: operatorsTopic.topicArn });
    new CfnOutput(this, 'TwilioSecretArn', { value: twilioSecret.secretArn });

    // --- What someone on call looks at first (README, Runbook).
    const { dashboard } = new OperatorDashboard(this, 'Operations', {
      functions: allFunctions,
      apiFunctions: [...new Set(routes.map((r) => r.fn))],
      streamReaders: ['notifier', 'stream-dispatcher'],
      failureQueues,
      streamFailures,
      httpApiId: api.apiId,
      liveApiId: liveApi.apiId,
    });
    new CfnOutput(this, 'DashboardName', { value: dashboard.dashboardName });
  }

  /** The HTTP API's JWT authorizer, the hosted UI when the console signs in through the user pool, and what the live channel's `$connect` verifies tokens against. */
  private jwtAuthorizer(ctx: StackContext, consoleUrl: string | undefined): { authorizer: IHttpRouteAuthorizer; hostedUi?: { domain: string; clientId: string }; tokenIssuer: Record<string, string> } {
    if (ctx.jwtIssuer && ctx.jwtAudience) return { authorizer: new HttpJwtAuthorizer('JwtAuthorizer', ctx.jwtIssuer, { jwtAudience: ctx.jwtAudience }), tokenIssuer: { JWT_ISSUER: ctx.jwtIssuer, JWT_AUDIENCE: ctx.jwtAudience.join(',') } };
    const userPool = ctx.userPoolId ? UserPool.fromUserPoolId(this, 'Sellers', ctx.userPoolId) : this.sellersUserPool(ctx);
    // The hosted UI's redirect targets: those named in context, and the console's own URL. With none, the
    // app client has no OAuth flow at all (sign-in through the API only): never a localhost default.
    const callbackUrls = [...(ctx.cognitoCallbackUrls ?? []), ...(consoleUrl ? [`${consoleUrl}/`] : [])];
    const client = new UserPoolClient(this, 'SellersClient', {
      userPool,
      generateSecret: false,
      authFlows: { userSrp: true },
      ...(callbackUrls.length > 0
        ? {
            // Authorization code (with PKCE, no secret) only, never implicit.
            oAuth: {
              flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
              scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
              callbackUrls,
              logoutUrls: callbackUrls,
            },
          }
        : { disableOAuth: true }),
      preventUserExistenceErrors: true,
      // A session lasts the working day: the console renews its one-hour access token with the refresh token
      // (kept in sessionStorage), and revokes it at sign-out.
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(ctx.sessionHours),
      enableTokenRevocation: true,
    });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', `https://cognito-idp.${this.region}.amazonaws.com/${userPool.userPoolId}`, { jwtAudience: [client.userPoolClientId] });
    const tokenIssuer = { USER_POOL_ID: userPool.userPoolId, USER_POOL_CLIENT_ID: client.userPoolClientId };
    if (!consoleUrl) return { authorizer, tokenIssuer };
    // The console signs in through the hosted UI on a Cognito domain (prefix from context, unique per account by default).
    const domain = userPool.addDomain('HostedUi', { cognitoDomain: { domainPrefix: ctx.cognitoDomainPrefix ?? this.defaultDomainPrefix() } });
    new CfnOutput(this, 'HostedUiUrl', { value: domain.baseUrl() });
    return { authorizer, hostedUi: { domain: domain.baseUrl(), clientId: client.userPoolClientId }, tokenIssuer };
  }

  /**
   * The sellers' user pool: kept when the stack is deleted, with deletion protection (every stored seller is keyed by
   * its `sub`; `-c userPoolId=` gives a re-created stack the same pool), unless context destroyData=true.
   */
  private sellersUserPool(ctx: StackContext): IUserPool {
    const userPool = new UserPool(this, 'Sellers', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: !ctx.destroyData,
      removalPolicy: ctx.destroyData ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      // Cognito's own e-mail sends 50 messages a day: inviting an organisation needs SES.
      ...(ctx.sesFromEmail ? { email: UserPoolEmail.withSES({ fromEmail: ctx.sesFromEmail, fromName: 'SMS CRM', sesRegion: this.region }) } : {}),
    });
    // Administrators are the members of this group (the `cognito:groups` claim); it exists from the first deploy.
    new CfnUserPoolGroup(this, 'AdminGroup', { userPoolId: userPool.userPoolId, groupName: 'admin', description: 'SMS CRM administrators: directory, consent, erasure' });
    acknowledge(userPool, 'AwsSolutions-COG2', 'MFA is an organisation policy choice; enable it in the user pool settings per customer.');
    return userPool;
  }

  /**
   * The hosted UI's prefix, unique per stack, region and account (a prefix is taken across all of AWS): the stack's
   * name without Cognito's reserved words, then region and account.
   */
  private defaultDomainPrefix(): string {
    const name = this.stackName.toLowerCase().replace(/aws|amazon|cognito/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'sms';
    return `${name}-${this.region}-${this.account}`;
  }
}

/** Writing a seller's roles or teams is the directory's alone: an explicit deny, whatever else the role allows under SELLER#. */
export const PROFILE_PRIVILEGE_ATTRIBUTES = ['roles', 'teamIds'] as const;
function denyProfilePrivilegeWrites(tableArn: string): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.DENY,
    actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
    resources: [tableArn],
    conditions: { 'ForAnyValue:StringEquals': { 'dynamodb:Attributes': [...PROFILE_PRIVILEGE_ATTRIBUTES] } },
  });
}

/** Seller routes: each route's own limits (requests per second, burst). */
export const SELLER_ROUTE_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;
/** A stage's route settings for these limits (CloudFormation's `RouteSettings` entry). */
function routeThrottle(limits: { rateLimit: number; burstLimit: number }) {
  return { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit };
}

/** The live channel's routes: connects (with their token check) apart from pings and disconnects. */
export const LIVE_ROUTE_THROTTLE = { $connect: { rateLimit: 20, burstLimit: 40 }, $default: { rateLimit: 50, burstLimit: 100 }, $disconnect: { rateLimit: 50, burstLimit: 100 } } as const;
/** Provider callbacks: their own, higher limits (a campaign's delivery reports arrive in bursts). */
export const CALLBACK_ROUTE_THROTTLE = { rateLimit: 1000, burstLimit: 2000 } as const;

/**
 * The account's CloudWatch Logs role for API Gateway (`AWS::ApiGateway::Account`, one per account and region), which
 * WebSocket and REST stages need before they may log. Retained on deletion: other APIs of the account may rely on it.
 */
function apiGatewayAccountLogging(stack: Stack): CfnAccount {
  const role = new Role(stack, 'ApiGatewayLogsRole', {
    assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
    description: 'API Gateway writes execution and access logs of this account to CloudWatch Logs',
    managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
  });
  role.applyRemovalPolicy(RemovalPolicy.RETAIN);
  acknowledge(role, 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]', 'AWS\'s managed policy for the account-wide API Gateway logging role, as its documentation prescribes; API Gateway creates log groups per API and stage at run time.');
  const account = new CfnAccount(stack, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
  account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return account;
}

/**
 * Failed stream batches go to an S3 bucket, whole. The function's role may only put objects there and list the
 * bucket (what Lambda's S3 destination needs), not CDK's read-write grant.
 */
class S3FailureDestination implements IEventSourceDlq {
  constructor(private readonly bucket: IBucket) {}

  bind(_target: unknown, targetHandler: IFunction) {
    // Lambda names each object aws/lambda/<mapping id>/<shard>/<date>/…
    targetHandler.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('aws/lambda/*')] }));
    const stack = Stack.of(this.bucket);
    acknowledge(targetHandler.role!.node.findChild('DefaultPolicy'), `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/aws/lambda/*]`, 'Lambda\'s S3 on-failure destination names each failed batch\'s object at run time, under aws/lambda/.');
    targetHandler.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    return { destination: this.bucket.bucketArn };
  }
}

/** Inline policy names that tell two stacks (or one stack in two regions) apart in IAM. */
class StackPolicyNames implements IAspect {
  constructor(private readonly stack: Stack) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnPolicy) || Stack.of(node) !== this.stack) return;
    const id = this.stack.getLogicalId(node);
    node.policyName = Fn.join('-', [this.stack.stackName.slice(0, 40), this.stack.region, id.slice(-60)]);
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
}
