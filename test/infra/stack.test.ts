import { beforeAll, describe, expect, it } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from '../../infra/nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SmsCrmStack } from '../../infra/stack';
import { tableDefinition } from '../../shared/store/table-definition';
import { routes } from '../../shared/http/routes';

let template: Template;

beforeAll(() => {
  const app = new App({ context: { defaultRegion: 'US' } });
  template = Template.fromStack(new SmsCrmStack(app, 'Test'));
}, 120_000);

describe('seller console', () => {
  it('is not deployed without context console=true', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });
});

describe('table', () => {
  it('has the keys and indexes of the shared definition', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(1);
    const props = Object.values(tables)[0]!.Properties;
    expect(props.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ]);
    expect(props.GlobalSecondaryIndexes.map((i: { IndexName: string; KeySchema: unknown }) => [i.IndexName, i.KeySchema])).toEqual(
      tableDefinition.globalSecondaryIndexes.map((i) => [
        i.indexName,
        [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
      ]),
    );
  });

  it('has point-in-time recovery, a stream with new and old images, TTL and on-demand billing', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });
});

const ourFunctions = () =>
  Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, fn]) => String(fn.Properties.Environment?.Variables?.SERVICE_NAME ?? '').startsWith('sms-crm-'));

describe('functions', () => {
  it('has one function per concern of the design', () => {
    const names = ourFunctions().map(([, fn]) => fn.Properties.Environment.Variables.SERVICE_NAME.replace('sms-crm-', '')).sort();
    expect(names).toEqual(['crm-events', 'delivery-reports', 'directory', 'inbound', 'live', 'media-copier', 'migrations', 'notifier', 'outbound-send', 'outbound-sweeper', 'privacy', 'reassignment', 'record-sync', 'scheduled-send', 'seller-api', 'sns-callbacks', 'stream-dispatcher', 'twilio-callbacks']);
  });

  it('run Node.js 22 or newer on arm64 with tracing, and know the table', () => {
    const tableRef = { Ref: Object.keys(template.findResources('AWS::DynamoDB::Table'))[0] };
    for (const [, fn] of ourFunctions()) {
      const runtime = fn.Properties.Runtime as string;
      expect(Number(/nodejs(\d+)/.exec(runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.Environment.Variables).toMatchObject({ TABLE_NAME: tableRef, DEFAULT_REGION: 'US' });
    }
  });

  it('gives each function the configuration it reads, and never a secret value', () => {
    const env = (name: string) => ourFunctions().find(([, fn]) => fn.Properties.Environment.Variables.SERVICE_NAME === `sms-crm-${name}`)![1].Properties.Environment.Variables;
    expect(Object.keys(env('notifier'))).toContain('NOTIFICATIONS_TOPIC_ARN');
    expect(Object.keys(env('outbound-send'))).toEqual(expect.arrayContaining(['TWILIO_SECRET_ARN', 'PUBLIC_BASE_URL']));
    expect(Object.keys(env('twilio-callbacks'))).toContain('TWILIO_SECRET_ARN');
    expect(Object.keys(env('sns-callbacks'))).toContain('SNS_ALLOWED_TOPIC_ARNS');
    expect(Object.keys(env('seller-api'))).toContain('CURSOR_SECRET_ARN');
    for (const [, fn] of ourFunctions()) {
      const names = Object.keys(fn.Properties.Environment.Variables);
      expect(names).not.toContain('TWILIO_AUTH_TOKEN');
      expect(names).not.toContain('CURSOR_SIGNING_KEY');
    }
  });

  it('retries the table stream with bisection, item failures and an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      StartingPosition: 'TRIM_HORIZON',
    });
  });

  it('sends failed asynchronous invocations to a queue', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    expect(configs.length).toBeGreaterThanOrEqual(3);
    for (const config of configs) expect(config.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
  });
});

describe('HTTP API', () => {
  it('serves every route of the contract: seller routes behind the JWT authorizer, callbacks without one', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    const httpApi = Object.entries(template.findResources('AWS::ApiGatewayV2::Api')).find(([, api]) => api.Properties.ProtocolType === 'HTTP')![0];
    const deployed = new Map(Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => r.Properties.ApiId.Ref === httpApi).map((r) => [r.Properties.RouteKey as string, r.Properties]));
    expect([...deployed.keys()].sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of routes) {
      expect(deployed.get(`${route.method} ${route.path}`)!.AuthorizationType, route.path).toBe(route.access === 'public' ? 'NONE' : 'JWT');
    }
  });

  it('live updates: a WebSocket API whose $connect and $disconnect invoke the live function, pings answered without one, throttled and logged', () => {
    const [liveApi] = Object.entries(template.findResources('AWS::ApiGatewayV2::Api')).find(([, api]) => api.Properties.ProtocolType === 'WEBSOCKET')!;
    const routesOf = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => r.Properties.ApiId.Ref === liveApi);
    expect(routesOf.map((r) => r.Properties.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const integrationOf = (key: string) => integrations[(routesOf.find((r) => r.Properties.RouteKey === key)!.Properties.Target['Fn::Join'][1][1] as { Ref: string }).Ref]!.Properties;
    for (const key of ['$connect', '$disconnect']) expect(JSON.stringify(integrationOf(key).IntegrationUri)).toContain('LiveFunction');
    expect(integrationOf('$default').IntegrationType).toBe('MOCK');
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: liveApi },
      StageName: 'live',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('connectionId') },
    });
    expect(JSON.stringify(template.toJSON().Outputs.LiveUrl.Value)).toContain('wss://');
  });

  it('only the notifier may post to live connections, of this stage only; it reads changes as soon as the stream has them', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('execute-api:ManageConnections'));
    expect(policies.map(([id]) => id)).toEqual([expect.stringMatching(/^NotifierRole/)]);
    const statement = (policies[0]![1].Properties.PolicyDocument.Statement as { Action: string; Resource: unknown }[]).find((s) => s.Action === 'execute-api:ManageConnections')!;
    expect(JSON.stringify(statement.Resource)).toMatch(/LiveApi.*\/live\/POST\/@connections\/\*.*\/live\/DELETE\/@connections\/\*/);
    const notifier = ourFunctions().find(([, fn]) => fn.Properties.Environment.Variables.SERVICE_NAME === 'sms-crm-notifier')![1];
    expect(JSON.stringify(notifier.Properties.Environment.Variables.LIVE_CONNECTIONS_URL)).toContain('/live');
    const live = ourFunctions().find(([, fn]) => fn.Properties.Environment.Variables.SERVICE_NAME === 'sms-crm-live')![1];
    expect(Object.keys(live.Properties.Environment.Variables)).toEqual(expect.arrayContaining(['USER_POOL_ID', 'USER_POOL_CLIENT_ID', 'TABLE_NAME']));
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter((m) => JSON.stringify(m.Properties.FunctionName).includes('Notifier'));
    expect(mappings.map((m) => m.Properties.MaximumBatchingWindowInSeconds ?? 0)).toEqual([0]);
  });

  it('throttles the stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });
});

describe('SNS', () => {
  it('encrypts every topic and denies requests without TLS', () => {
    const topics = template.findResources('AWS::SNS::Topic');
    expect(Object.keys(topics).length).toBeGreaterThanOrEqual(4);
    for (const topic of Object.values(topics)) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const sslDenied = new Set<string>();
    for (const policy of policies) {
      const denies = policy.Properties.PolicyDocument.Statement.some(
        (s: { Effect: string; Condition?: { Bool?: Record<string, string> } }) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      if (denies) for (const t of policy.Properties.Topics) sslDenied.add(t.Ref);
    }
    expect([...sslDenied].sort()).toEqual(Object.keys(topics).sort());
  });
});

describe('IAM', () => {
  it('grants no wildcard action, on the table, the topics or anything else', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
      }
    }
  });
});

describe('IAM resources', () => {
  // The only grants on `Resource: *`, by name: AWS offers no resource-level permission for these actions.
  const allowedOnAnyResource = [['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['dynamodb:ListStreams']];

  it('grants nothing on `Resource: *` except the actions listed by name', () => {
    const granted: string[][] = [];
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if ([statement.Resource].flat().includes('*')) granted.push([statement.Action].flat().sort());
      }
    }
    expect(granted.length).toBeGreaterThan(0);
    for (const actions of granted) expect(allowedOnAnyResource, JSON.stringify(actions)).toContainEqual(actions);
  });
});

describe('outbound MMS storage', () => {
  const mediaBucketId = () => Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('Media'))![0];

  it('End User Messaging may read sent files only (media/out/), for this account only; nothing else is let in', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === mediaBucketId())!;
    const statements = policy.Properties.PolicyDocument.Statement as { Effect: string; Principal?: { Service?: string }; Action: string | string[]; Resource: unknown; Condition?: unknown }[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 's3:GetObject', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    expect(JSON.stringify(allows[0]!.Resource)).toMatch(/\/media\/out\/\*"/);
  });

  it('deletes uploads no message used after a day', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[mediaBucketId()]!;
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' }));
  });

  it('outbound-send reads and writes only uploads/ and media/out/, and may send MMS', () => {
    const [, policy] = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('OutboundSendRole'))!;
    const statements = policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const s3 = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3).toHaveLength(1);
    // DeleteObject: a used upload, and the copy of a message that was not stored.
    expect([s3[0]!.Action].flat().sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(JSON.stringify(s3[0]!.Resource)).toMatch(/\/uploads\/\*".*\/media\/out\/\*"/);
    expect(statements.some((st) => [st.Action].flat().includes('sms-voice:SendMediaMessage'))).toBe(true);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding', () => {
    const app = new App({ context: { defaultRegion: 'US', pinpointEventStream: 'true', pinpointApplicationId: 'app-123' } });
    new SmsCrmStack(app, 'Nagged');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  }, 120_000);

  it('would fail the synth on a finding (the check is live)', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new Queue(stack, 'Unencrypted', { encryption: QueueEncryption.UNENCRYPTED });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
  });
});

describe('send later: EventBridge Scheduler', () => {
  const functionNamed = (name: string) => ourFunctions().find(([, fn]) => fn.Properties.Environment.Variables.SERVICE_NAME === `sms-crm-${name}`)!;
  const statementsOf = (roleLogicalId: string) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: unknown }[]);

  it('one schedule group of the stack; a role only EventBridge Scheduler of this account assumes, that may only invoke the sending function and its dead-letter queue', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    const [roleId, role] = Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }]);
    const [sendId] = functionNamed('scheduled-send');
    const statements = statementsOf(roleId);
    expect(statements.map((st) => st.Action).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    expect(statements.find((st) => st.Action === 'lambda:InvokeFunction')!.Resource).toEqual({ 'Fn::GetAtt': [sendId, 'Arn'] });
  });

  it('the functions that schedule may create and delete schedules of the group only, and pass the schedule role only to the scheduler; erasure may only delete', () => {
    for (const name of ['outbound-send', 'scheduled-send']) {
      const [, fn] = functionNamed(name);
      const statements = statementsOf(fn.Properties.Role['Fn::GetAtt'][0]);
      const scheduling = statements.find((st) => JSON.stringify(st.Action).includes('scheduler:'))!;
      expect(scheduling.Action, name).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
      expect(JSON.stringify(scheduling.Resource), name).toMatch(/schedule\/Test-messages\/\*/);
      const pass = statements.find((st) => st.Action === 'iam:PassRole')!;
      expect(pass.Condition, name).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
      expect(fn.Properties.Environment.Variables, name).toMatchObject({ SCHEDULE_GROUP: 'Test-messages', SCHEDULE_MIN_LEAD_SECONDS: '60' });
    }
    const [, privacy] = functionNamed('privacy');
    const privacyScheduling = statementsOf(privacy.Properties.Role['Fn::GetAtt'][0]).filter((st) => JSON.stringify(st.Action).includes('scheduler:'));
    expect(privacyScheduling.map((st) => st.Action)).toEqual(['scheduler:DeleteSchedule']);
  });

  it('the CRM\'s SmsStepDue events of its source reach the sending function, with retries and a dead-letter queue', () => {
    const [sendId] = functionNamed('scheduled-send');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['crm'], 'detail-type': ['SmsStepDue'], account: [{ Ref: 'AWS::AccountId' }] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sendId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 }, DeadLetterConfig: Match.anyValue() })],
    });
  });
});
