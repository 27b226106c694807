/**
 * Reads a synthesized CloudFormation template as a deployment would see it: each resource gets a
 * concrete name and ARN, and `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select` and `Fn::Split`
 * are resolved to them. The IAM check evaluates the roles it yields; `npm start -- --synth` runs each
 * function with the environment it yields, its resources pointed at the local stand-ins.
 */

export type CfnTemplate = { Resources: Record<string, CfnResource>; Outputs?: Record<string, unknown> };
export type CfnResource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown; Metadata?: Record<string, unknown> };

export interface Deployment {
  account: string;
  region: string;
  partition: string;
}

export const TEST_DEPLOYMENT: Deployment = { account: '123456789012', region: 'us-east-1', partition: 'aws' };

/** What a resource is called once deployed: its `Ref` and its attributes. */
export interface Named {
  ref: string;
  attributes: Record<string, string>;
}

/** Names resources after their logical id, as CloudFormation would name them with a random suffix. */
export function nameResource(logicalId: string, resource: CfnResource, d: Deployment): Named {
  const arn = (service: string, rest: string, region = d.region, account = d.account) => `arn:${d.partition}:${service}:${region}:${account}:${rest}`;
  const props = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::DynamoDB::Table': {
      const name = (props.TableName as string | undefined) ?? logicalId;
      return { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`), StreamArn: arn('dynamodb', `table/${name}/stream/2026-01-01T00:00:00.000`) } };
    }
    case 'AWS::SNS::Topic': {
      const topicArn = arn('sns', logicalId);
      return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: logicalId } };
    }
    case 'AWS::SQS::Queue':
      return { ref: `https://sqs.${d.region}.amazonaws.com/${d.account}/${logicalId}`, attributes: { Arn: arn('sqs', logicalId), QueueName: logicalId, QueueUrl: `https://sqs.${d.region}.amazonaws.com/${d.account}/${logicalId}` } };
    case 'AWS::S3::Bucket': {
      const name = logicalId.toLowerCase();
      return { ref: name, attributes: { Arn: `arn:${d.partition}:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com`, RegionalDomainName: `${name}.s3.${d.region}.amazonaws.com` } };
    }
    case 'AWS::KMS::Key':
      return { ref: logicalId, attributes: { Arn: arn('kms', `key/${logicalId}`), KeyId: logicalId } };
    case 'AWS::SecretsManager::Secret': {
      const secretArn = arn('secretsmanager', `secret:${logicalId}-AbCdEf`);
      return { ref: secretArn, attributes: { Id: secretArn } };
    }
    case 'AWS::Lambda::Function':
      return { ref: logicalId, attributes: { Arn: arn('lambda', `function:${logicalId}`) } };
    case 'AWS::IAM::Role':
      return { ref: logicalId, attributes: { Arn: `arn:${d.partition}:iam::${d.account}:role/${logicalId}`, RoleId: `AROA${logicalId.slice(0, 16).toUpperCase()}` } };
    case 'AWS::Logs::LogGroup':
      return { ref: logicalId, attributes: { Arn: arn('logs', `log-group:${logicalId}:*`) } };
    case 'AWS::Events::EventBus':
      return { ref: logicalId, attributes: { Arn: arn('events', `event-bus/${logicalId}`), Name: logicalId } };
    case 'AWS::Cognito::UserPool':
      return { ref: `${d.region}_${logicalId.slice(0, 9)}`, attributes: { Arn: arn('cognito-idp', `userpool/${d.region}_${logicalId.slice(0, 9)}`), ProviderURL: `cognito-idp.${d.region}.amazonaws.com/${d.region}_${logicalId.slice(0, 9)}` } };
    case 'AWS::ApiGatewayV2::Api':
      return { ref: logicalId.toLowerCase().slice(0, 10), attributes: { ApiEndpoint: `https://${logicalId.toLowerCase().slice(0, 10)}.execute-api.${d.region}.amazonaws.com` } };
    case 'AWS::Kinesis::Stream':
      return { ref: logicalId, attributes: { Arn: arn('kinesis', `stream/${logicalId}`) } };
    case 'AWS::CloudFront::Distribution':
      return { ref: logicalId, attributes: { DomainName: `${logicalId.toLowerCase().slice(0, 13)}.cloudfront.net` } };
    default:
      return { ref: logicalId, attributes: { Arn: arn(resource.Type.split('::')[1]!.toLowerCase(), logicalId) } };
  }
}

export class TemplateModel {
  private readonly names = new Map<string, Named>();

  constructor(
    readonly template: CfnTemplate,
    readonly deployment: Deployment = TEST_DEPLOYMENT,
    /** Overrides a resource's name (the local stack names its table and topics itself). */
    rename: (logicalId: string, resource: CfnResource) => Named | undefined = () => undefined,
  ) {
    for (const [id, resource] of Object.entries(template.Resources)) this.names.set(id, rename(id, resource) ?? nameResource(id, resource, deployment));
  }

  resources(type: string): [string, CfnResource][] {
    return Object.entries(this.template.Resources).filter(([, r]) => r.Type === type);
  }

  named(logicalId: string): Named {
    const named = this.names.get(logicalId);
    if (!named) throw new Error(`the template has no resource ${logicalId}`);
    return named;
  }

  /** A value of the template with every intrinsic function resolved. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]!;
      switch (fn) {
        case 'Ref':
          return this.ref(arg as string);
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : (arg as string).split('.');
          const found = this.named(id!).attributes[attribute!];
          if (found === undefined) throw new Error(`no attribute ${attribute} on ${id}`);
          return found;
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number | string, unknown];
          return (this.resolve(list) as unknown[])[Number(index)];
        }
        case 'Fn::Split': {
          const [separator, text] = arg as [string, unknown];
          return String(this.resolve(text)).split(separator);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [arg as string, {}];
          return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
            if (name in vars) return String(this.resolve(vars[name]));
            if (name.includes('.')) return String(this.resolve({ 'Fn::GetAtt': name.split('.') }));
            return String(this.ref(name));
          });
        }
        case 'Fn::If':
        case 'Fn::ImportValue':
        case 'Fn::FindInMap':
          throw new Error(`${fn} is not used by this stack; resolve it before reading the template`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  private ref(name: string): string {
    const d = this.deployment;
    switch (name) {
      case 'AWS::AccountId':
        return d.account;
      case 'AWS::Region':
        return d.region;
      case 'AWS::Partition':
        return d.partition;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'SmsCrm';
      case 'AWS::NoValue':
        return '';
      default:
        return this.named(name).ref;
    }
  }

  /** Our functions by their folder name under functions/ (from SERVICE_NAME), with their resolved environment and role. */
  functions(): Map<string, SynthesizedFunction> {
    const out = new Map<string, SynthesizedFunction>();
    for (const [logicalId, resource] of this.resources('AWS::Lambda::Function')) {
      const props = resource.Properties ?? {};
      const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      const service = variables.SERVICE_NAME;
      if (typeof service !== 'string' || !service.startsWith('sms-crm-')) continue;
      const roleId = ((props.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'])[0];
      out.set(service.slice('sms-crm-'.length), {
        name: service.slice('sms-crm-'.length),
        logicalId,
        roleLogicalId: roleId,
        roleArn: this.named(roleId).attributes.Arn!,
        environment: this.resolve(variables) as Record<string, string>,
        handler: props.Handler as string,
        timeoutSeconds: Number(props.Timeout ?? 3),
        memorySize: Number(props.MemorySize ?? 128),
        assetPath: (resource.Metadata?.['aws:asset:path'] as string | undefined) ?? undefined,
      });
    }
    return out;
  }

  /** Every policy document that applies to a role: its inline policies and the AWS::IAM::Policy resources attached to it. */
  rolePolicies(roleLogicalId: string): { name: string; document: PolicyDocument }[] {
    const role = this.template.Resources[roleLogicalId]!;
    const inline = ((role.Properties?.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []).map((p) => ({ name: p.PolicyName, document: this.resolve(p.PolicyDocument) as PolicyDocument }));
    const attached = this.resources('AWS::IAM::Policy')
      .filter(([, p]) => ((p.Properties?.Roles as { Ref?: string }[] | undefined) ?? []).some((r) => r.Ref === roleLogicalId))
      .map(([id, p]) => ({ name: id, document: this.resolve(p.Properties!.PolicyDocument) as PolicyDocument }));
    if (((role.Properties?.ManagedPolicyArns as unknown[] | undefined) ?? []).length > 0) throw new Error(`role ${roleLogicalId} has managed policies, which this model does not read`);
    return [...inline, ...attached];
  }

  /** Resource policies by the ARN of the resource they govern: topics, keys, queues, buckets. */
  resourcePolicies(): Map<string, PolicyDocument> {
    const out = new Map<string, PolicyDocument>();
    const add = (arn: string, doc: PolicyDocument) => {
      const existing = out.get(arn);
      out.set(arn, existing ? { ...existing, Statement: [...existing.Statement, ...doc.Statement] } : doc);
    };
    for (const [, p] of this.resources('AWS::SNS::TopicPolicy')) for (const t of this.resolve(p.Properties!.Topics) as string[]) add(t, this.resolve(p.Properties!.PolicyDocument) as PolicyDocument);
    for (const [, p] of this.resources('AWS::SQS::QueuePolicy')) {
      for (const url of this.resolve(p.Properties!.Queues) as string[]) add(this.queueArnOfUrl(url), this.resolve(p.Properties!.PolicyDocument) as PolicyDocument);
    }
    for (const [, p] of this.resources('AWS::S3::BucketPolicy')) add(`arn:${this.deployment.partition}:s3:::${this.resolve(p.Properties!.Bucket) as string}`, this.resolve(p.Properties!.PolicyDocument) as PolicyDocument);
    for (const [id, k] of this.resources('AWS::KMS::Key')) add(this.named(id).attributes.Arn!, this.resolve(k.Properties!.KeyPolicy) as PolicyDocument);
    return out;
  }

  /** The KMS key ARN that encrypts a topic, if any. */
  topicKey(topicArn: string): string | undefined {
    for (const [id, t] of this.resources('AWS::SNS::Topic')) {
      if (this.named(id).ref !== topicArn || !t.Properties?.KmsMasterKeyId) continue;
      const key = this.resolve(t.Properties.KmsMasterKeyId) as string;
      return key.startsWith('arn:') ? key : `arn:${this.deployment.partition}:kms:${this.deployment.region}:${this.deployment.account}:key/${key}`;
    }
    return undefined;
  }

  queueArnOfUrl(url: string): string {
    const [, , , account, name] = url.split('/');
    return `arn:${this.deployment.partition}:sqs:${this.deployment.region}:${account}:${name}`;
  }
}

export interface SynthesizedFunction {
  name: string;
  logicalId: string;
  roleLogicalId: string;
  roleArn: string;
  environment: Record<string, string>;
  handler: string;
  timeoutSeconds: number;
  memorySize: number;
  assetPath: string | undefined;
}

export type PolicyStatement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
export type PolicyDocument = { Version?: string; Statement: PolicyStatement[] };
