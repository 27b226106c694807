import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { config } from './config';

export type Db = DynamoDBDocumentClient;

export function createDb(options: { endpoint?: string | undefined; region?: string; instrument?: (client: DynamoDBClient) => void } = {}): Db {
  const client = new DynamoDBClient({
    region: options.region ?? config().AWS_REGION,
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    // Transaction conflicts and throttles are retried by the SDK with jittered backoff.
    maxAttempts: 6,
  });
  options.instrument?.(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

let defaultDb: Db | undefined;
/** Module-scope client shared by every invocation of a warm Lambda. */
export function db(): Db {
  defaultDb ??= createDb({ endpoint: config().DYNAMODB_ENDPOINT });
  return defaultDb;
}

let defaultSns: SNSClient | undefined;
export function sns(): SNSClient {
  defaultSns ??= new SNSClient({ region: config().AWS_REGION });
  return defaultSns;
}
