import { beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SmsCrmStack } from '../../infra/stack';

/**
 * The synthesized template, read as an attacker with an AWS account of their own (confused deputy),
 * or with code execution in one function (least privilege) would read it.
 */
let template: Template;
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: { Service?: string | string[] }; Condition?: Record<string, Record<string, unknown>> };

beforeAll(() => {
  const app = new App({ context: { defaultRegion: 'US', cognitoCallbackUrls: 'https://console.example.com/callback' } });
  template = Template.fromStack(new SmsCrmStack(app, 'Security', { env: { account: '123456789012', region: 'eu-north-1' } }));
}, 120_000);

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const servicesOf = (s: Statement) => {
  const service = s.Principal?.Service;
  return service === undefined ? [] : Array.isArray(service) ? service : [service];
};

function functionStatements(name: string): Statement[] {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'));
  const fn = functions.find((f) => f.Properties.Environment?.Variables?.SERVICE_NAME === `sms-crm-${name}`);
  if (!fn) throw new Error(`no function ${name}`);
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'];
const writablePrefixes = (name: string) =>
  functionStatements(name)
    // What a role may write (its Allow statements; a Deny only takes away).
    .filter((s) => (s as { Effect?: string }).Effect !== 'Deny' && actionsOf(s).some((a) => writeActions.includes(a) || a === 'dynamodb:*'))
    .map((s) => s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined);

describe('confused deputy', () => {
  it('the SMS topics let AWS SMS services publish only for this account\'s resources', () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const serviceStatements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]).filter((s) => servicesOf(s).length > 0);
    expect(serviceStatements.map((s) => servicesOf(s)).flat()).toEqual(expect.arrayContaining(['sms-voice.amazonaws.com', 'mobiletargeting.amazonaws.com']));
    for (const statement of serviceStatements) {
      expect(statement.Condition?.StringEquals?.['aws:SourceAccount'], JSON.stringify(statement)).toBe('123456789012');
      expect(JSON.stringify(statement.Condition?.ArnLike?.['aws:SourceArn'])).toMatch(/arn:.*:(sms-voice|mobiletargeting|cloudwatch):eu-north-1:123456789012:/);
    }
  });

  it('every AWS service the messaging key trusts is held to this account', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    const statements = keys.flatMap((k) => k.Properties.KeyPolicy.Statement as Statement[]).filter((s) => servicesOf(s).length > 0);
    expect(statements.length).toBeGreaterThanOrEqual(3);
    for (const statement of statements) {
      expect(statement.Condition?.StringEquals?.['aws:SourceAccount'], JSON.stringify(statement)).toBe('123456789012');
      expect(statement.Condition?.ArnLike?.['aws:SourceArn'], JSON.stringify(statement)).toBeDefined();
    }
  });
});

describe('alarms that never arrive', () => {
  it('CloudWatch may use the key that encrypts the operators topic', () => {
    const operators = Object.values(template.findResources('AWS::SNS::Topic')).find((t) => t.Properties.DisplayName === 'SMS CRM operator alarms')!;
    const keyId = operators.Properties.KmsMasterKeyId['Fn::GetAtt'][0] as string;
    const statements = template.findResources('AWS::KMS::Key')[keyId]!.Properties.KeyPolicy.Statement as Statement[];
    const cloudwatch = statements.find((s) => servicesOf(s).includes('cloudwatch.amazonaws.com'));
    expect(cloudwatch).toBeDefined();
    expect(actionsOf(cloudwatch!)).toEqual(expect.arrayContaining(['kms:GenerateDataKey*', 'kms:Decrypt']));
    // And the alarms do publish to that topic.
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('Operators');
  });
});

describe('least privilege on the table', () => {
  const all = ['directory', 'seller-api', 'outbound-send', 'reassignment', 'privacy', 'twilio-callbacks', 'sns-callbacks', 'inbound', 'delivery-reports', 'notifier', 'outbound-sweeper', 'record-sync', 'media-copier', 'crm-events', 'migrations'];

  it.each(all)('%s writes only under named key prefixes, and never with a wildcard action', (name) => {
    const prefixes = writablePrefixes(name);
    for (const list of prefixes) expect(list, `${name} has an unconditioned write`).toBeDefined();
    for (const statement of functionStatements(name)) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*$/);
    }
  });

  it.each(['twilio-callbacks', 'sns-callbacks', 'inbound', 'delivery-reports'])('public callback function %s cannot write templates, sellers, notifications, numbers or idempotency keys', (name) => {
    const prefixes = writablePrefixes(name).flat() as string[];
    expect(prefixes.length).toBeGreaterThan(0);
    for (const forbidden of ['TEMPLATE#', 'SELLER#', 'TEAM#', 'NUMBER#', 'IDEMPOTENCY#']) {
      for (const prefix of prefixes) expect(`${forbidden}x`.startsWith(prefix.replace(/\*$/, '')), `${name} may write ${prefix}`).toBe(false);
    }
    // Leads are the only records a callback creates.
    expect(prefixes).not.toContain('RECORD#*');
    expect(prefixes.some((p) => p === '*' || p === '')).toBe(false);
  });

  it('only the functions that read an index may query it', () => {
    const queriedIndexes = (name: string) =>
      functionStatements(name)
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
        .map((r) => JSON.stringify(r))
        .filter((r) => r.includes('/index/'))
        .map((r) => /\/index\/(gsi\d)/.exec(r)?.[1]);
    // Inbound routing reads a record's conversations (gsi1) when it holds one with the customer; auto-assignment counts a
    // member's unanswered conversations in their assignee list (gsi2).
    expect(queriedIndexes('twilio-callbacks')).toEqual(['gsi1', 'gsi2']);
    expect(queriedIndexes('reassignment')).toEqual([]);
    expect(queriedIndexes('outbound-sweeper')).toEqual(['gsi1']);
    expect(queriedIndexes('seller-api').sort()).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5']);
  });
});

describe('Cognito app client', () => {
  it('allows the authorization code flow only, with the callback URLs from context and no secret', () => {
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const client = clients[0]!.Properties;
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.CallbackURLs).toEqual(['https://console.example.com/callback']);
    expect(client.GenerateSecret).toBe(false);
    expect(client.AllowedOAuthScopes).not.toContain('aws.cognito.signin.user.admin');
  });
});

describe('record sync', () => {
  it('the rule matches the configured CRM source in this account only', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule')).find((r) => JSON.stringify(r.Properties.EventPattern ?? {}).includes('RecordUpserted'))!;
    expect(rule.Properties.EventPattern).toEqual({ source: ['crm'], 'detail-type': ['RecordUpserted'], account: ['123456789012'] });
  });
});
