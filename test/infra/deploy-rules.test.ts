import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnEventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { SmsCrmStack, CALLBACK_ROUTE_THROTTLE, SELLER_ROUTE_THROTTLE } from '../../infra/stack';
import { DEPLOY_RULES, DeployRulesPlugin, checkDeployRules, estimatedText, policySize, type CfnTemplate } from '../../infra/deploy-rules';
import { routes } from '../../shared/http/routes';
import { KEEP_ALIVE_MS } from '../../web/src/live';

// A stand-in console build: the browser tests build the real one.
const consoleAssets = mkdtempSync(join(tmpdir(), 'console-build-'));
writeFileSync(join(consoleAssets, 'index.html'), '<!doctype html><head></head><title>console</title>');

type Env = { account: string; region: string };
const synth = (context: Record<string, string> = {}, env?: Env, id = 'SmsCrm') => {
  const app = new App({ context: { defaultRegion: 'US', 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(new SmsCrmStack(app, id, env ? { env } : {})).toJSON() as CfnTemplate;
};
const resources = (t: CfnTemplate, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const only = (t: CfnTemplate, type: string) => {
  const found = resources(t, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const ISSUER = 'https://idp.example.com/oauth2/default';

/** Every combination of context the README documents (Deploy, "Context"). */
const DOCUMENTED_CONTEXTS: Record<string, Record<string, string>> = {
  default: {},
  console: { console: 'true', consoleAssets },
  'Pinpoint event stream': { pinpointEventStream: 'true', pinpointApplicationId: 'app-123', eumConfigurationSet: 'sms-crm' },
  'bus by ARN, CRM bus, retention': { eventBusName: 'arn:aws:events:eu-west-1:222233334444:event-bus/crm', crmEventBusName: 'crm-inbound', retentionDays: '365', quietHours: 'off' },
  'external issuer with console': { jwtIssuer: ISSUER, jwtAudience: 'api://sms', jwksUri: 'https://idp.example.com/oauth2/default/v1/keys', console: 'true', consoleAssets, consoleClientId: 'console-client' },
  'no account logging role': { apiGatewayAccountRole: 'false' },
  'destroy data': { destroyData: 'true', console: 'true', consoleAssets },
  'alarms by e-mail, Cognito through SES': { alarmEmail: 'ops@example.com', sesFromEmail: 'no-reply@example.com', console: 'true', consoleAssets },
  'an existing user pool': { userPoolId: 'eu-west-1_AbCdEf123', console: 'true', consoleAssets },
};

describe('deploy rules: what AWS would refuse, checked on every documented context', () => {
  for (const [name, context] of Object.entries(DOCUMENTED_CONTEXTS)) {
    it(`${name}: no rule is broken`, () => {
      expect(checkDeployRules(synth(context))).toEqual([]);
    }, 60_000);
  }

  it('every rule cites the AWS documentation it comes from', () => {
    expect(DEPLOY_RULES.length).toBeGreaterThanOrEqual(20);
    for (const rule of DEPLOY_RULES) expect(rule.source, rule.id).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(new Set(DEPLOY_RULES.map((r) => r.id)).size).toBe(DEPLOY_RULES.length);
  });
});

describe('deploy rules catch what the first deploy would fail on', () => {
  const template = synth();
  const copy = () => JSON.parse(JSON.stringify(template)) as CfnTemplate;
  const notifierMapping = () => {
    const t = copy();
    const [id, mapping] = resources(t, 'AWS::Lambda::EventSourceMapping').find(([, m]) => JSON.stringify(m.Properties!.FunctionName).includes('Notifier'))!;
    return { t, id, filters: (mapping.Properties!.FilterCriteria as { Filters: { Pattern: string }[] }).Filters };
  };

  it('seven filters on the notifier\'s mapping (the template before they were merged) fail, naming the mapping and the quota', () => {
    const { t, id, filters } = notifierMapping();
    while (filters.length < 7) filters.push({ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: [`k${filters.length}`] } } } }) });
    const violations = checkDeployRules(t);
    expect(violations).toEqual([expect.objectContaining({ rule: 'lambda-filters-per-event-source-mapping', resource: id, source: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html' })]);
    expect(violations[0]!.message).toMatch(/7 filters .* allows 5/);
  });

  it('five filters pass, six fail', () => {
    const { t, filters } = notifierMapping();
    while (filters.length < 5) filters.push({ Pattern: '{"eventName":["INSERT"]}' });
    expect(checkDeployRules(t)).toEqual([]);
    filters.push({ Pattern: '{"eventName":["MODIFY"]}' });
    expect(checkDeployRules(t).map((v) => v.rule)).toEqual(['lambda-filters-per-event-source-mapping']);
  });

  it('WebSocket access logs without the account\'s CloudWatch Logs role (the template before the fix) fail', () => {
    const t = copy();
    const [accountId] = only(t, 'AWS::ApiGateway::Account');
    delete t.Resources[accountId];
    const violations = checkDeployRules(t);
    expect(violations.map((v) => [v.rule, v.resource])).toEqual([['api-gateway-account-logging-role', resources(t, 'AWS::ApiGatewayV2::Stage').find(([, s]) => s.Properties!.StageName === 'live')![0]]]);
    expect(violations[0]!.message).toContain('CloudWatch Logs role ARN must be set in account settings');
  });

  it('a logging stage that does not wait for the account role fails', () => {
    const t = copy();
    const [, stage] = resources(t, 'AWS::ApiGatewayV2::Stage').find(([, s]) => s.Properties!.StageName === 'live')!;
    delete stage.DependsOn;
    expect(checkDeployRules(t).map((v) => v.rule)).toEqual(['api-gateway-account-logging-role']);
  });

  it('a MOCK WebSocket integration without a request template fails', () => {
    const t = copy();
    const [, mock] = resources(t, 'AWS::ApiGatewayV2::Integration').find(([, i]) => i.Properties!.IntegrationType === 'MOCK')!;
    delete mock.Properties!.RequestTemplates;
    expect(checkDeployRules(t).map((v) => v.rule)).toEqual(['api-gateway-websocket-mock-integration']);
  });

  it('size quotas: inline policies per role, environment variables, event patterns', () => {
    const t = copy();
    const [, policy] = resources(t, 'AWS::IAM::Policy').find(([id]) => id.startsWith('NotifierRoleDefaultPolicy'))!;
    const document = policy.Properties!.PolicyDocument as { Statement: unknown[] };
    document.Statement.push(...Array.from({ length: 60 }, (_, i) => ({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': [`Table${i}`, 'Arn'] } })));
    const [, fn] = resources(t, 'AWS::Lambda::Function').find(([id]) => id.startsWith('SellerApi'))!;
    (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.BIG = 'x'.repeat(4000);
    const [, rule] = resources(t, 'AWS::Events::Rule').find(([, r]) => r.Properties!.EventPattern)!;
    rule.Properties!.EventPattern = { source: Array.from({ length: 300 }, (_, i) => `source-${i}`) };
    expect(checkDeployRules(t).map((v) => v.rule).sort()).toEqual(['eventbridge-rule-limits', 'iam-inline-policy-size-per-role', 'lambda-environment-size']);
  });

  it('a schedule group name longer than 64 characters, or with other characters, fails; a long stack name is cut to fit', () => {
    const t = copy();
    const [, group] = resources(t, 'AWS::Scheduler::ScheduleGroup')[0]!;
    expect(checkDeployRules(t)).toEqual([]);
    group.Properties!.Name = `${'a'.repeat(60)}-messages`;
    expect(checkDeployRules(t).map((v) => v.rule)).toEqual(['scheduler-schedule-group-name']);
    group.Properties!.Name = 'stack name/messages';
    expect(checkDeployRules(t).map((v) => v.rule)).toEqual(['scheduler-schedule-group-name']);
    const long = Template.fromStack(new SmsCrmStack(new App({ context: { defaultRegion: 'US' } }), 'S'.repeat(120))).toJSON() as CfnTemplate;
    expect(checkDeployRules(long).filter((v) => v.rule === 'scheduler-schedule-group-name')).toEqual([]);
  });

  it('a value a deploy fills in is counted at its longest', () => {
    expect(estimatedText({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket' }]] })).toHaveLength(4 + 10 + 6 + 128);
    expect(estimatedText({ 'Fn::GetAtt': ['Table', 'Arn'] })).toHaveLength(256);
    expect(policySize({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] })).toBe('{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'.length);
  });

  it('cdk synth stops on a template AWS would refuse, with the rule\'s message', () => {
    const app = new App();
    const stack = new Stack(app, 'SixFilters');
    new CfnEventSourceMapping(stack, 'Mapping', {
      functionName: 'fn',
      eventSourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026',
      startingPosition: 'TRIM_HORIZON',
      filterCriteria: { filters: Array.from({ length: 6 }, (_, i) => ({ pattern: JSON.stringify({ eventName: [`E${i}`] }) })) },
    });
    Validations.of(app).addPlugins(new DeployRulesPlugin());
    expect(() => app.synth()).toThrow(/lambda-filters-per-event-source-mapping|6 filters/);
  });
});

describe('the stack as AWS deploys it', () => {
  it('keeps the table, the media bucket, the failure bucket and the user pool when the stack is deleted, with deletion protection on', () => {
    const t = synth({ console: 'true', consoleAssets });
    const [, table] = only(t, 'AWS::DynamoDB::Table');
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { DeletionProtectionEnabled: true } });
    const [, pool] = only(t, 'AWS::Cognito::UserPool');
    expect(pool).toMatchObject({ DeletionPolicy: 'Retain', Properties: { DeletionProtection: 'ACTIVE' } });
    for (const id of ['Media', 'StreamFailures']) {
      const [, bucket] = resources(t, 'AWS::S3::Bucket').find(([logicalId]) => logicalId.startsWith(id))!;
      expect(bucket.DeletionPolicy, id).toBe('Retain');
    }
    expect(resources(t, 'Custom::S3AutoDeleteObjects')).toHaveLength(0);
  }, 60_000);

  it('destroyData=true lets cdk destroy delete them (buckets emptied first)', () => {
    const t = synth({ destroyData: 'true' });
    const [, table] = only(t, 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties!.DeletionProtectionEnabled).toBe(false);
    const [, pool] = only(t, 'AWS::Cognito::UserPool');
    expect(pool.DeletionPolicy).toBe('Delete');
    expect(pool.Properties!.DeletionProtection).toBe('INACTIVE');
    expect(resources(t, 'Custom::S3AutoDeleteObjects').length).toBe(2);
  }, 60_000);

  it('userPoolId reuses a retained pool: no new pool or group, a new app client on the old pool', () => {
    const t = synth({ userPoolId: 'eu-west-1_AbCdEf123' });
    expect(resources(t, 'AWS::Cognito::UserPool')).toHaveLength(0);
    expect(resources(t, 'AWS::Cognito::UserPoolGroup')).toHaveLength(0);
    expect(only(t, 'AWS::Cognito::UserPoolClient')[1].Properties!.UserPoolId).toBe('eu-west-1_AbCdEf123');
  }, 60_000);

  it('two stacks in one account, and one stack name in two regions, get distinct Cognito domains and policy names', () => {
    const account = '111122223333';
    const templates = [synth({ console: 'true', consoleAssets }, { account, region: 'eu-west-1' }, 'SmsCrm'), synth({ console: 'true', consoleAssets }, { account, region: 'eu-west-1' }, 'SmsCrmEast'), synth({ console: 'true', consoleAssets }, { account, region: 'us-east-1' }, 'SmsCrm')];
    const domains = templates.map((t) => JSON.stringify(only(t, 'AWS::Cognito::UserPoolDomain')[1].Properties!.Domain));
    expect(new Set(domains).size).toBe(3);
    expect(JSON.parse(domains[0]!)).toBe('smscrm-eu-west-1-111122223333');
    const policyNames = templates.map((t) => new Set(resources(t, 'AWS::IAM::Policy').map(([, p]) => estimatedText(p.Properties!.PolicyName).replace(/x{14}/, 'REGION'))));
    const names = templates.map((t) => resources(t, 'AWS::IAM::Policy').map(([, p]) => JSON.stringify(p.Properties!.PolicyName)));
    for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) expect(names[a]!.filter((n) => names[b]!.includes(n)), `${a} and ${b}`).toEqual([]);
    expect(policyNames[0]!.size).toBe(names[0]!.length);
    // Metrics (and the alarms on them) are per stack: two stacks in one account never set off each other's alarms.
    const namespaces = templates.map((t) => new Set(resources(t, 'AWS::Lambda::Function').map(([, f]) => (f.Properties!.Environment as { Variables: Record<string, string> } | undefined)?.Variables.METRICS_NAMESPACE).filter(Boolean)));
    expect([...namespaces[0]!]).toEqual(['SmsCrm/SmsCrm']);
    expect([...namespaces[1]!]).toEqual(['SmsCrm/SmsCrmEast']);
  }, 120_000);

  it('eventBusName as an ARN grants PutEvents on that ARN and names it to the function', () => {
    const arn = 'arn:aws:events:eu-west-1:222233334444:event-bus/crm';
    const t = synth({ eventBusName: arn });
    const statements = resources(t, 'AWS::IAM::Policy').flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement);
    expect(statements.filter((s) => s.Action === 'events:PutEvents').map((s) => s.Resource)).toEqual([arn]);
    const [, crmEvents] = resources(t, 'AWS::Lambda::Function').find(([id]) => id.startsWith('CrmEvents'))!;
    expect((crmEvents.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.EVENT_BUS_NAME).toBe(arn);
  }, 60_000);

  it('provider callbacks and seller routes are throttled apart, each route with its own limits', () => {
    const t = synth();
    const [, stage] = resources(t, 'AWS::ApiGatewayV2::Stage').find(([, s]) => s.Properties!.StageName === '$default')!;
    const settings = stage.Properties!.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    expect(Object.keys(settings).sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of routes) {
      const expected = route.access === 'public' ? CALLBACK_ROUTE_THROTTLE : SELLER_ROUTE_THROTTLE;
      expect(settings[`${route.method} ${route.path}`], route.path).toEqual({ ThrottlingRateLimit: expected.rateLimit, ThrottlingBurstLimit: expected.burstLimit });
    }
    expect(CALLBACK_ROUTE_THROTTLE.rateLimit).toBeGreaterThan(SELLER_ROUTE_THROTTLE.rateLimit);
  }, 60_000);

  it('the table stream\'s failed batches go whole to an S3 bucket, which only Lambda writes to and an alarm watches', () => {
    const t = synth();
    const [bucketId] = resources(t, 'AWS::S3::Bucket').find(([id]) => id.startsWith('StreamFailures'))!;
    const mappings = resources(t, 'AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties!.EventSourceArn).includes('StreamArn'));
    expect(mappings).toHaveLength(2);
    for (const [, m] of mappings) expect(m.Properties!.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': [bucketId, 'Arn'] } } });
    const alarm = resources(t, 'AWS::CloudWatch::Alarm').find(([, a]) => JSON.stringify(a.Properties!.Dimensions).includes(bucketId));
    expect(alarm?.[1].Properties).toMatchObject({ Namespace: 'AWS/S3', MetricName: 'PutRequests' });
  }, 60_000);

  it('API Gateway\'s account logging role is created and kept, unless apiGatewayAccountRole=false turns WebSocket access logs off', () => {
    const withRole = synth();
    const [accountId, account] = only(withRole, 'AWS::ApiGateway::Account');
    expect(account.DeletionPolicy).toBe('Retain');
    const [, live] = resources(withRole, 'AWS::ApiGatewayV2::Stage').find(([, s]) => s.Properties!.StageName === 'live')!;
    expect(live.Properties!.AccessLogSettings).toBeDefined();
    expect(live.DependsOn).toContain(accountId);
    const without = synth({ apiGatewayAccountRole: 'false' });
    expect(resources(without, 'AWS::ApiGateway::Account')).toHaveLength(0);
    const [, quiet] = resources(without, 'AWS::ApiGatewayV2::Stage').find(([, s]) => s.Properties!.StageName === 'live')!;
    expect(quiet.Properties!.AccessLogSettings).toBeUndefined();
    expect(quiet.Properties!.DefaultRouteSettings).toMatchObject({ DetailedMetricsEnabled: true });
  }, 60_000);

  it('the live channel\'s ping route answers without an error, and the console pings well inside the 10-minute idle limit', () => {
    const t = synth();
    const [, mock] = resources(t, 'AWS::ApiGatewayV2::Integration').find(([, i]) => i.Properties!.IntegrationType === 'MOCK')!;
    expect(mock.Properties!.RequestTemplates).toEqual({ $default: '{"statusCode": 200}' });
    expect(KEEP_ALIVE_MS).toBeLessThanOrEqual(5 * 60 * 1000);
  }, 60_000);

  it('alarmEmail subscribes an address to the Operators topic; sesFromEmail makes Cognito send through SES', () => {
    const t = synth({ alarmEmail: 'ops@example.com', sesFromEmail: 'no-reply@example.com' });
    const [operatorsId] = resources(t, 'AWS::SNS::Topic').find(([id]) => id.startsWith('Operators'))!;
    expect(resources(t, 'AWS::SNS::Subscription').filter(([, s]) => s.Properties!.Protocol === 'email').map(([, s]) => s.Properties)).toEqual([expect.objectContaining({ Endpoint: 'ops@example.com', TopicArn: { Ref: operatorsId } })]);
    expect(only(t, 'AWS::Cognito::UserPool')[1].Properties!.EmailConfiguration).toMatchObject({ EmailSendingAccount: 'DEVELOPER', From: 'SMS CRM <no-reply@example.com>' });
    expect(resources(synth(), 'AWS::SNS::Subscription').filter(([, s]) => s.Properties!.Protocol === 'email')).toHaveLength(0);
  }, 60_000);

  it('an external issuer: the live function is told its JWKS (when given) and the console signs in through it, with the issuer in its CSP', () => {
    const t = synth(DOCUMENTED_CONTEXTS['external issuer with console']!);
    const [, live] = resources(t, 'AWS::Lambda::Function').find(([id]) => id.startsWith('Live'))!;
    expect((live.Properties!.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({ JWT_ISSUER: ISSUER, JWT_JWKS_URI: 'https://idp.example.com/oauth2/default/v1/keys' });
    const csp = JSON.stringify(resources(t, 'AWS::CloudFront::ResponseHeadersPolicy'));
    expect(csp).toContain('https://idp.example.com');
    expect(csp).not.toContain('amazoncognito.com');
  }, 60_000);
});

describe('the live channel and the table, as the red team tried them', () => {
  it('connects are throttled apart from pings and disconnects', () => {
    const t = synth();
    const [, live] = resources(t, 'AWS::ApiGatewayV2::Stage').find(([, s]) => s.Properties!.StageName === 'live')!;
    expect(live.Properties!.RouteSettings).toEqual({
      $connect: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      $default: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      $disconnect: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  }, 60_000);

  it('the notifier and the seller API may never write a profile\'s roles or teams; the live function writes no SELLER# item', () => {
    const t = synth();
    const policyOf = (prefix: string) => resources(t, 'AWS::IAM::Policy').find(([id]) => id.startsWith(`${prefix}RoleDefaultPolicy`))![1].Properties!.PolicyDocument as { Statement: { Effect: string; Action: unknown; Condition?: Record<string, Record<string, unknown>> }[] };
    for (const fn of ['Notifier', 'SellerApi']) {
      const deny = policyOf(fn).Statement.find((s) => s.Effect === 'Deny');
      expect(deny, fn).toMatchObject({ Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'], Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:Attributes': ['roles', 'teamIds'] } } });
    }
    const liveLeadingKeys = policyOf('Live').Statement.flatMap((s) => [s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? []].flat());
    expect(liveLeadingKeys.length).toBeGreaterThan(0);
    expect(liveLeadingKeys.some((k) => String(k).startsWith('SELLER#'))).toBe(false);
  }, 60_000);

  it('End User Messaging may read sent files only for this account\'s own resources (aws:SourceArn too)', () => {
    const t = synth();
    const statements = resources(t, 'AWS::S3::BucketPolicy').flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: { Principal?: { Service?: string }; Condition?: Record<string, unknown> }[] }).Statement);
    const eum = statements.find((s) => s.Principal?.Service === 'sms-voice.amazonaws.com');
    expect(eum?.Condition).toMatchObject({ StringEquals: { 'aws:SourceAccount': expect.anything() }, ArnLike: { 'aws:SourceArn': expect.anything() } });
  }, 60_000);
});

describe('a seller\'s session', () => {
  it('the app client renews one-hour access tokens with a refresh token of sessionHours (default 12), revocable', () => {
    const client = (context: Record<string, string>) => only(synth(context), 'AWS::Cognito::UserPoolClient')[1].Properties!;
    expect(client({})).toMatchObject({ AccessTokenValidity: 60, IdTokenValidity: 60, RefreshTokenValidity: 720, EnableTokenRevocation: true, TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' } });
    expect(client({ sessionHours: '24' }).RefreshTokenValidity).toBe(1440);
    expect(() => synth({ sessionHours: 'all day' })).toThrow(/sessionHours/);
    // Settings that are no longer read fail the synth and name what replaced them.
    expect(() => synth({ deletionProtection: 'false' })).toThrow(/destroyData/);
    expect(() => synth({ jwtIssuer: ISSUER, jwtAudience: 'api://sms', consoleAuthDomain: 'https://idp.example.com' })).toThrow(/consoleClientId/);
  }, 60_000);
});

describe('upgrades and operations in the template', () => {
  const t = synth();

  it('after every deploy CloudFormation starts the migrations: a Custom::Migrations on the migrations function, which may continue itself and fails into an alarmed queue', () => {
    const [, trigger] = only(t, 'Custom::Migrations');
    const [fnId] = resources(t, 'AWS::Lambda::Function').find(([id]) => id.startsWith('MigrationsFunction'))!;
    expect(trigger.Properties).toMatchObject({ ServiceToken: { 'Fn::GetAtt': [fnId, 'Arn'] }, Migrations: expect.stringContaining('0001-assignee-listing'), Bundle: expect.stringMatching(/\.zip$/) });
    const policies = resources(t, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('MigrationsContinue'));
    expect(policies.map(([, p]) => p.Properties!.PolicyDocument)).toEqual([{ Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } }], Version: '2012-10-17' }]);
    expect(trigger.DependsOn).toEqual(expect.arrayContaining([policies[0]![0]]));
    const invokeConfig = resources(t, 'AWS::Lambda::EventInvokeConfig').find(([, c]) => JSON.stringify(c.Properties!.FunctionName).includes(fnId))!;
    expect(invokeConfig[1].Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: expect.anything() } } });
    expect(resources(t, 'AWS::CloudWatch::Alarm').some(([id]) => id.includes('MigrationsDeadLetters'))).toBe(true);
    // The one function that scans the table.
    const scanners = resources(t, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties!.PolicyDocument).includes('dynamodb:Scan'));
    expect(scanners.map(([id]) => id)).toEqual([expect.stringMatching(/^MigrationsRoleDefaultPolicy/)]);
  });

  it('an operator\'s dashboard: traffic by provider, failures by reason, route families, stream lag, live channel, failure queues, migrations', () => {
    const [, dashboard] = only(t, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties!.DashboardBody);
    for (const title of ['Inbound messages per minute, by provider', 'Outbound messages per minute, by provider', 'Delivery failures, by reason', 'HTTP API: 5xx and 4xx', 'Latency per route family: p50 and p95 (ms)', 'Table stream: iterator age per reader (ms, max)', 'Live channel: frames sent, failed, dropped', 'Failure queues: messages waiting', 'Migrations: items visited and changed, migrations pending']) {
      expect(body, title).toContain(title);
    }
    expect(body).toContain('GROUP BY provider');
    expect(body).toContain('GROUP BY reason');
  });

  it('a dashboard over 500 widgets fails the deploy rules', () => {
    const copy = JSON.parse(JSON.stringify(t)) as CfnTemplate;
    const [id, dashboard] = only(copy, 'AWS::CloudWatch::Dashboard');
    dashboard.Properties!.DashboardBody = JSON.stringify({ widgets: Array.from({ length: 501 }, () => ({ type: 'text', properties: { markdown: 'x' } })) });
    expect(checkDeployRules(copy)).toEqual([expect.objectContaining({ rule: 'cloudwatch-dashboard-body', resource: id })]);
  });
});
