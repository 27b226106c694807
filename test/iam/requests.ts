import { tableDefinition } from '../../shared/store/table-definition';
import type { TemplateModel, SynthesizedFunction } from '../../scripts/local/synthesized-template';

/** One AWS SDK call a function made, as the recorder saw it. */
export interface RecordedCall {
  fn: string;
  /** The client's class: DynamoDBDocumentClient, SNSClient, ... */
  client: string;
  /** The command without "Command": PutItem's document form is "Put". */
  operation: string;
  input: Record<string, unknown>;
}

/** What IAM authorizes: one action on one resource with the context keys the policies test. */
export interface IamRequest {
  fn: string;
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  /** The call it came from, for the failure message. */
  call: string;
}

const DOCUMENT_ACTIONS: Record<string, string> = {
  Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', Query: 'Query', Scan: 'Scan',
  BatchGet: 'BatchGetItem', BatchWrite: 'BatchWriteItem', TransactWrite: 'TransactWriteItems', TransactGet: 'TransactGetItems',
};
const TRANSACT_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

/** A key attribute in either the document client's plain form or the low-level `{S: ...}` form. */
function keyValue(item: unknown): string {
  const value = (item as Record<string, unknown> | undefined)?.[tableDefinition.partitionKey];
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'S' in value) return String((value as { S: unknown }).S);
  return String(value);
}

/**
 * The IAM requests a call makes, with the resources the test named translated to the deployed ones:
 * the one table, and for topics, queues, buckets and secrets the one the function's environment names.
 */
export function iamRequestsOf(call: RecordedCall, model: TemplateModel, fn: SynthesizedFunction): IamRequest[] {
  const { account, region, partition } = model.deployment;
  const label = `${call.client}.${call.operation}`;
  const req = (action: string, resource: string, context: Record<string, string | string[]> = {}): IamRequest => ({
    fn: call.fn,
    action,
    resource,
    context: { 'aws:SecureTransport': 'true', ...context },
    call: label,
  });
  const fromEnvironment = (suffix: string, given: unknown): string => {
    const values = Object.entries(fn.environment).filter(([k]) => k.endsWith(suffix)).map(([, v]) => v);
    if (typeof given === 'string' && values.includes(given)) return given;
    if (values.length === 1) return values[0]!;
    // A test may name a resource by its logical id without CloudFormation's suffix (MediaCopierFunction).
    const named = typeof given === 'string' ? values.filter((v) => v.startsWith(given)) : [];
    if (named.length === 1) return named[0]!;
    throw new Error(`${call.fn} calls ${label} on ${String(given)}, but its environment names ${values.length === 0 ? `no *${suffix}` : `several *${suffix}: ${values.join(', ')}`}`);
  };
  const input = call.input;

  if (call.client === 'DynamoDBDocumentClient' || call.client === 'DynamoDBClient') {
    const tables = model.resources('AWS::DynamoDB::Table');
    const tableArn = model.named(tables[0]![0]).attributes.Arn!;
    const op = call.client === 'DynamoDBDocumentClient' ? (DOCUMENT_ACTIONS[call.operation] ?? call.operation) : call.operation;
    const action = `dynamodb:${op}`;
    const leading = (keys: string[]) => ({ 'dynamodb:LeadingKeys': keys });
    switch (op) {
      case 'GetItem':
      case 'DeleteItem':
      case 'UpdateItem':
        return [req(action, tableArn, leading([keyValue(input.Key)]))];
      case 'PutItem':
        return [req(action, tableArn, leading([keyValue(input.Item)]))];
      case 'Query':
      case 'Scan':
        return [req(action, input.IndexName ? `${tableArn}/index/${String(input.IndexName)}` : tableArn)];
      case 'BatchGetItem': {
        const keys = Object.values(input.RequestItems as Record<string, { Keys: unknown[] }>).flatMap((r) => r.Keys.map(keyValue));
        return [req(action, tableArn, leading(keys))];
      }
      case 'BatchWriteItem': {
        const requests = Object.values(input.RequestItems as Record<string, { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }[]>).flat();
        return [req(action, tableArn, leading(requests.map((r) => keyValue(r.PutRequest?.Item ?? r.DeleteRequest?.Key))))];
      }
      case 'TransactWriteItems':
      case 'TransactGetItems':
        // IAM authorizes each item of a transaction by its own action.
        return (input.TransactItems as Record<string, { Item?: unknown; Key?: unknown }>[]).map((item) => {
          const [kind, body] = Object.entries(item)[0]!;
          return req(`dynamodb:${TRANSACT_ACTIONS[kind]}`, tableArn, leading([keyValue(body.Item ?? body.Key)]));
        });
      default:
        return [req(action, tableArn)];
    }
  }
  if (call.client === 'SNSClient' && call.operation === 'Publish') {
    const topicArn = fromEnvironment('_TOPIC_ARN', input.TopicArn);
    const key = model.topicKey(topicArn);
    // Publishing to an encrypted topic: SNS asks KMS for a data key with the publisher's credentials.
    return [req('sns:Publish', topicArn), ...(key ? [req('kms:GenerateDataKey', key), req('kms:Decrypt', key)] : [])];
  }
  if (call.client === 'EventBridgeClient' && call.operation === 'PutEvents') {
    const configured = fn.environment.EVENT_BUS_NAME ?? 'default';
    return [req('events:PutEvents', `arn:${partition}:events:${region}:${account}:event-bus/${configured}`)];
  }
  if (call.client === 'SQSClient') {
    const queueUrl = fromEnvironment('_QUEUE_URL', input.QueueUrl);
    return [req(`sqs:${call.operation}`, model.queueArnOfUrl(queueUrl))];
  }
  if (call.client === 'S3Client') {
    const bucket = fromEnvironment('_BUCKET', input.Bucket);
    const object = (key: unknown) => `arn:${partition}:s3:::${bucket}/${String(key)}`;
    // CopyObject reads the source and writes the target, each authorized on its own.
    if (call.operation === 'CopyObject') return [req('s3:GetObject', object(String(input.CopySource).replace(/^[^/]*\//, ''))), req('s3:PutObject', object(input.Key))];
    // HeadObject and ranged reads are s3:GetObject; a presigned POST is a PutObject signed with the role.
    const action = { HeadObject: 'GetObject', PresignedPost: 'PutObject', PresignedGet: 'GetObject' }[call.operation] ?? call.operation;
    return [req(`s3:${action}`, object(input.Key))];
  }
  if (call.client === 'SecretsManagerClient') {
    return [req(`secretsmanager:${call.operation}`, fromEnvironment('_SECRET_ARN', input.SecretId))];
  }
  if (call.client === 'LambdaClient' && call.operation === 'Invoke') {
    // A function that continues itself names itself (AWS_LAMBDA_FUNCTION_NAME): its own ARN.
    const self = typeof input.FunctionName === 'string' && input.FunctionName !== '' && (fn.logicalId.startsWith(input.FunctionName) || model.named(fn.logicalId).ref.startsWith(input.FunctionName));
    if (self) return [req('lambda:InvokeFunction', model.named(fn.logicalId).attributes.Arn!)];
    const name = fromEnvironment('_FUNCTION', input.FunctionName);
    return [req('lambda:InvokeFunction', name.startsWith('arn:') ? name : `arn:${partition}:lambda:${region}:${account}:function:${name}`)];
  }
  if (call.client === 'PinpointClient' && call.operation === 'SendMessages') {
    return [req('mobiletargeting:SendMessages', `arn:${partition}:mobiletargeting:${region}:${account}:apps/${String(input.ApplicationId)}/messages`)];
  }
  if (call.client === 'PinpointSMSVoiceV2Client') {
    const identity = String(input.OriginationIdentity ?? '');
    const identityArn = identity.startsWith('arn:') ? identity : `arn:${partition}:sms-voice:${region}:${account}:phone-number/${identity.replace(/\W/g, '') || 'unknown'}`;
    const configurationSet = input.ConfigurationSetName ? [req(`sms-voice:${call.operation}`, `arn:${partition}:sms-voice:${region}:${account}:configuration-set/${String(input.ConfigurationSetName)}`)] : [];
    return [req(`sms-voice:${call.operation}`, identityArn), ...configurationSet];
  }
  if (call.client === 'SchedulerClient') {
    // The stack's own group (the test's group name stands for it); creating a schedule passes the schedule role.
    const group = fn.environment.SCHEDULE_GROUP;
    if (!group) throw new Error(`${call.fn} calls ${label}, but its environment names no SCHEDULE_GROUP`);
    const schedule = req(`scheduler:${call.operation}`, `arn:${partition}:scheduler:${region}:${account}:schedule/${group}/${String(input.Name)}`);
    if (call.operation !== 'CreateSchedule') return [schedule];
    const role = fn.environment.SCHEDULE_ROLE_ARN;
    if (!role) throw new Error(`${call.fn} creates a schedule, but its environment names no SCHEDULE_ROLE_ARN`);
    return [schedule, req('iam:PassRole', role, { 'iam:PassedToService': 'scheduler.amazonaws.com' })];
  }
  if (call.client === 'ApiGatewayManagementApiClient') {
    // https://{api}.execute-api.{region}.amazonaws.com/{stage}: each connection is a resource of the stage.
    const endpoint = new URL(fromEnvironment('LIVE_CONNECTIONS_URL', undefined));
    const apiId = endpoint.hostname.split('.')[0]!;
    const stage = endpoint.pathname.replace(/^\/|\/$/g, '');
    const method = { PostToConnection: 'POST', DeleteConnection: 'DELETE', GetConnection: 'GET' }[call.operation] ?? call.operation;
    return [req('execute-api:ManageConnections', `arn:${partition}:execute-api:${region}:${account}:${apiId}/${stage}/${method}/@connections/${String(input.ConnectionId)}`)];
  }
  throw new Error(`the IAM check does not know ${label}: teach test/iam/requests.ts which action and resource it needs`);
}
