import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../shared/store/table-definition';

/** Creates the table from the shared definition, as CDK would (TTL left off: tests control expiry themselves). */
export async function createTable(endpoint: string, tableName: string): Promise<void> {
  await create(endpoint, createTableInput(tableName));
}

/** The `--synth` stack's table: exactly the keys, indexes, stream and TTL of the template's AWS::DynamoDB::Table. */
export async function createTableFromTemplate(endpoint: string, tableName: string, properties: Record<string, unknown>): Promise<void> {
  const stream = properties.StreamSpecification as { StreamViewType: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'KEYS_ONLY' } | undefined;
  const ttl = properties.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
  await create(
    endpoint,
    {
      TableName: tableName,
      BillingMode: properties.BillingMode as 'PAY_PER_REQUEST',
      AttributeDefinitions: properties.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
      KeySchema: properties.KeySchema as CreateTableCommandInput['KeySchema'],
      GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
      ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType } } : {}),
    },
    ttl?.Enabled ? ttl.AttributeName : undefined,
  );
}

async function create(endpoint: string, input: CreateTableCommandInput, ttlAttribute?: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let i = 0; i < 50; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (ttlAttribute) await client.send(new UpdateTimeToLiveCommand({ TableName: input.TableName, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } })).catch(() => undefined);
  client.destroy();
}
