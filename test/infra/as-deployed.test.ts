import { beforeAll, describe, expect, it } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SmsCrmStack } from '../../infra/stack';
import { WORST_CASE_MS } from '../../infra/timeouts';
import { TEST_DEPLOYMENT, TemplateModel, type CfnTemplate, type PolicyDocument } from '../../scripts/local/synthesized-template';
import { PolicyCheck } from '../iam/policy-check';
import { STREAM_FILTERS, DISPATCHER_FILTERS } from '../../shared/store/stream-consumers';

/** The template read as an AWS engineer would before a first deploy: what AWS does that the local stack does not. */
const synth = (context: Record<string, unknown> = {}) => {
  const app = new App({ context: { defaultRegion: 'US', 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(new SmsCrmStack(app, 'SmsCrm', { env: { account: TEST_DEPLOYMENT.account, region: TEST_DEPLOYMENT.region } })).toJSON() as CfnTemplate;
};

let template: CfnTemplate;
let model: TemplateModel;
beforeAll(() => {
  template = synth();
  model = new TemplateModel(template);
}, 120_000);

const resources = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const tableStreamMappings = () => resources('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties!.EventSourceArn).includes('StreamArn'));

describe('stream readers', () => {
  it('at most two functions read the table stream (AWS advises two readers per shard)', () => {
    expect(tableStreamMappings().length).toBeLessThanOrEqual(2);
  });

  it('each mapping has bisection, bounded retries and age, an on-failure destination with an alarm, and the shared filter patterns', () => {
    const alarmed = new Set(resources('AWS::CloudWatch::Alarm').flatMap(([, a]) => ((a.Properties!.Dimensions as { Value: unknown }[] | undefined) ?? []).map((d) => JSON.stringify(d.Value))));
    const patterns = new Set([JSON.stringify(STREAM_FILTERS.notifier), JSON.stringify(DISPATCHER_FILTERS)]);
    for (const [, mapping] of resources('AWS::Lambda::EventSourceMapping')) {
      const p = mapping.Properties!;
      expect(p.BisectBatchOnFunctionError).toBe(true);
      expect(p.MaximumRetryAttempts as number).toBeGreaterThan(0);
      expect(p.MaximumRetryAttempts as number).toBeLessThanOrEqual(10);
      expect(p.MaximumRecordAgeInSeconds as number).toBeLessThanOrEqual(86_400);
      expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const destination = (p.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } }).OnFailure.Destination['Fn::GetAtt'][0];
      if (JSON.stringify(p.EventSourceArn).includes('StreamArn')) {
        // The table stream's failed batches are kept whole in S3 (an SQS record holds only the stream position,
        // which the stream forgets after 24 hours); each object written there raises the alarm on its request metrics.
        expect(template.Resources[destination]!.Type).toBe('AWS::S3::Bucket');
        expect(alarmed.has(JSON.stringify({ Ref: destination })), `alarm on ${destination}`).toBe(true);
      } else {
        expect(alarmed.has(JSON.stringify({ 'Fn::GetAtt': [destination, 'QueueName'] })), `alarm on ${destination}`).toBe(true);
      }
      if (JSON.stringify(p.EventSourceArn).includes('StreamArn')) {
        const filters = (p.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) => JSON.parse(f.Pattern) as unknown);
        expect(patterns.has(JSON.stringify(filters))).toBe(true);
      }
    }
  });

  it('the dispatched consumers retry asynchronously into their own queues', () => {
    const functions = model.functions();
    for (const name of ['media-copier', 'crm-events']) {
      const config = resources('AWS::Lambda::EventInvokeConfig').find(([, c]) => c.Properties!.FunctionName && JSON.stringify(c.Properties!.FunctionName).includes(functions.get(name)!.logicalId));
      expect(config, name).toBeDefined();
      expect(config![1].Properties!.MaximumRetryAttempts).toBe(2);
      expect((config![1].Properties!.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination).toBeDefined();
    }
  });
});

describe('timeouts', () => {
  it('every function\'s timeout covers the worst case its code allows', () => {
    const functions = model.functions();
    for (const [name, worstMs] of Object.entries(WORST_CASE_MS)) {
      expect(functions.get(name)!.timeoutSeconds * 1000, name).toBeGreaterThanOrEqual(worstMs);
    }
    // Erasure answers before API Gateway's 30 s integration limit.
    expect(functions.get('privacy')!.timeoutSeconds).toBeLessThan(30);
  });
});

describe('first deploy', () => {
  it('creates the Twilio secret as JSON with empty fields', () => {
    const [, secret] = resources('AWS::SecretsManager::Secret').find(([id]) => id.startsWith('TwilioSecret'))!;
    expect(JSON.parse(secret.Properties!.SecretString as string)).toEqual({ accountSid: '', authToken: '' });
  });

  it('creates the admin group, unless an external identity provider is used', () => {
    expect(resources('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties!.GroupName)).toEqual(['admin']);
    const external = synth({ jwtIssuer: 'https://idp.example.com/', jwtAudience: 'sms-crm' });
    expect(Object.values(external.Resources).filter((r) => r.Type === 'AWS::Cognito::UserPoolGroup')).toHaveLength(0);
  });

  it('names no localhost URL; without the console or callback URLs the app client has no OAuth flow', () => {
    expect(JSON.stringify(template)).not.toMatch(/localhost|127\.0\.0\.1/);
    const [, client] = resources('AWS::Cognito::UserPoolClient')[0]!;
    expect(client.Properties!.AllowedOAuthFlows).toBeUndefined();
    expect(client.Properties!.CallbackURLs).toBeUndefined();
  });
});

describe('context values are checked at synth', () => {
  it.each([
    ['defaultRegion', 'USA', /defaultRegion="USA".*two-letter country code/],
    ['retentionDays', 'ten', /retentionDays="ten".*whole number of days/],
    ['retentionDays', '0', /retentionDays="0"/],
    ['corsOrigins', 'http://crm.example.com', /corsOrigins="http:\/\/crm.example.com".*https/],
    ['cognitoCallbackUrls', 'not a url', /cognitoCallbackUrls="not a url"/],
    ['twilioSecretArn', 'my-secret', /twilioSecretArn="my-secret".*complete ARN/],
    ['console', 'yes', /console="yes".*true or false/],
    ['publicBaseUrl', 'ftp://x', /publicBaseUrl="ftp:\/\/x"/],
  ])('%s=%s fails with the value and what is accepted', (name, value, message) => {
    expect(() => synth({ [name]: value })).toThrow(message);
  });
});

describe('AWS services publishing into our resources', () => {
  it('CloudWatch alarms of this account may publish to the operators topic, through its policy and the key\'s', async () => {
    const check = new PolicyCheck(model);
    const topic = model.named(resources('AWS::SNS::Topic').find(([id]) => id.startsWith('Operators'))![0]).ref;
    const key = model.topicKey(topic)!;
    const fromAlarm = { 'aws:SourceAccount': TEST_DEPLOYMENT.account, 'aws:SourceArn': `arn:aws:cloudwatch:${TEST_DEPLOYMENT.region}:${TEST_DEPLOYMENT.account}:alarm:SmsCrm-NotifierErrors` };
    expect((await check.checkService('cloudwatch.amazonaws.com', 'sns:Publish', topic, fromAlarm)).allowed).toBe(true);
    expect((await check.checkService('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', key, fromAlarm)).allowed).toBe(true);
    // Another account's alarm may not.
    expect((await check.checkService('cloudwatch.amazonaws.com', 'sns:Publish', topic, { ...fromAlarm, 'aws:SourceAccount': '999999999999' })).allowed).toBe(false);
  });

  it('End User Messaging and Pinpoint may publish two-way SMS and events to their topics, for this account only', async () => {
    const check = new PolicyCheck(model);
    for (const prefix of ['InboundSms', 'SmsEvents']) {
      const topic = model.named(resources('AWS::SNS::Topic').find(([id]) => id.startsWith(prefix))![0]).ref;
      const context = { 'aws:SourceAccount': TEST_DEPLOYMENT.account, 'aws:SourceArn': `arn:aws:sms-voice:${TEST_DEPLOYMENT.region}:${TEST_DEPLOYMENT.account}:configuration-set/crm` };
      expect((await check.checkService('sms-voice.amazonaws.com', 'sns:Publish', topic, context)).allowed, prefix).toBe(true);
      expect((await check.checkService('sms-voice.amazonaws.com', 'kms:GenerateDataKey', model.topicKey(topic)!, context)).allowed, prefix).toBe(true);
      expect((await check.checkService('sms-voice.amazonaws.com', 'sns:Publish', topic, { ...context, 'aws:SourceAccount': '999999999999' })).allowed).toBe(false);
    }
  });

  it('each topic may invoke exactly the functions subscribed to it', async () => {
    const permissions = resources('AWS::Lambda::Permission').filter(([, p]) => p.Properties!.Principal === 'sns.amazonaws.com');
    expect(permissions.length).toBeGreaterThanOrEqual(2);
    for (const [, permission] of permissions) {
      const fnArn = `arn:aws:lambda:${TEST_DEPLOYMENT.region}:${TEST_DEPLOYMENT.account}:function:${model.resolve(permission.Properties!.FunctionName) as string}`;
      const topic = model.resolve(permission.Properties!.SourceArn) as string;
      const policy: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: fnArn, Condition: { ArnLike: { 'aws:SourceArn': topic } } }] };
      // The function's resource policy, as Lambda builds it from its permissions.
      const verdict = await new PolicyCheckWith(model, fnArn, policy).checkService('sns.amazonaws.com', 'lambda:InvokeFunction', fnArn, { 'aws:SourceArn': topic });
      expect(verdict.allowed).toBe(true);
      const other = await new PolicyCheckWith(model, fnArn, policy).checkService('sns.amazonaws.com', 'lambda:InvokeFunction', fnArn, { 'aws:SourceArn': `arn:aws:sns:${TEST_DEPLOYMENT.region}:${TEST_DEPLOYMENT.account}:SomeoneElses` });
      expect(other.allowed).toBe(false);
    }
  });
});

/** A policy check that also knows one function's resource policy (Lambda permissions are not policy documents in the template). */
class PolicyCheckWith extends PolicyCheck {
  constructor(model: TemplateModel, private readonly arn: string, private readonly policy: PolicyDocument) {
    super(model);
  }
  override resourcePolicyOf(resource: string): PolicyDocument | undefined {
    return resource === this.arn ? this.policy : super.resourcePolicyOf(resource);
  }
}

describe('where each cdk-nag acknowledgement sits', () => {
  it('a wildcard-resource acknowledgement (IAM5 Resource::*) sits only on the policy that needs it, never on a function or role', () => {
    const app = new App({ context: { defaultRegion: 'US', 'aws:cdk:bundling-stacks': [], console: 'false' } });
    const stack = new SmsCrmStack(app, 'Acknowledged');
    const wildcard: string[] = [];
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
        if (Object.keys(entry.data as Record<string, string>).some((id) => id.includes('Resource::*'))) wildcard.push(construct.node.path);
      }
    }
    expect(wildcard.length).toBeGreaterThan(0);
    for (const path of wildcard) {
      // X-Ray's own policy of each function, or the default policy of the two stream readers (dynamodb:ListStreams).
      expect(path, path).toMatch(/\/Tracing$|^Acknowledged\/(Notifier|StreamDispatcher)\/Role\/DefaultPolicy$/);
    }
    expect(wildcard.filter((p) => p.endsWith('/DefaultPolicy')).sort()).toEqual(['Acknowledged/Notifier/Role/DefaultPolicy', 'Acknowledged/StreamDispatcher/Role/DefaultPolicy']);
  });
});

describe('who may tell us of CRM records', () => {
  const ruleOf = (t: CfnTemplate) => Object.values(t.Resources).find((r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties?.EventPattern ?? {}).includes('RecordUpserted'))!.Properties!;
  it('by default the rule listens on the default bus, for source crm of this account only', () => {
    const rule = ruleOf(template);
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toMatchObject({ source: ['crm'], 'detail-type': ['RecordUpserted'] });
  });

  it('context crmEventBusName moves it to a dedicated bus (which only the CRM integration may write to); a malformed name fails synth', () => {
    expect(ruleOf(synth({ crmEventBusName: 'crm-inbound' })).EventBusName).toBe('crm-inbound');
    expect(() => synth({ crmEventBusName: 'no spaces allowed' })).toThrow(/crmEventBusName="no spaces allowed" is not valid/);
  }, 60_000);
});

describe('quiet hours as deployed', () => {
  const envOf = (t: CfnTemplate, name: string) => new TemplateModel(t).functions().get(name)!.environment;
  it('default 21:00-08:00 on the functions that send and render; off or another window by context; a malformed one fails synth', () => {
    expect(envOf(template, 'outbound-send').QUIET_HOURS).toBe('21:00-08:00');
    expect(envOf(template, 'seller-api').QUIET_HOURS).toBe('21:00-08:00');
    expect(envOf(synth({ quietHours: 'off' }), 'outbound-send').QUIET_HOURS).toBe('off');
    expect(envOf(synth({ quietHours: '20:00-09:00' }), 'outbound-send').QUIET_HOURS).toBe('20:00-09:00');
    expect(() => synth({ quietHours: '9pm-8am' })).toThrow(/quietHours="9pm-8am" is not valid/);
  }, 60_000);
});
