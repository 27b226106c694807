import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type RunningDynamoDb } from '../../scripts/local/dynamodb-local';

let dynamo: RunningDynamoDb | undefined;

/** The flows' mutation run: DynamoDB Local only (the IAM check needs the unmutated bundles, so it stays in `npm test`). */
export async function setup(project: TestProject) {
  dynamo = await startDynamoDbLocal({ timeoutMs: 60_000 });
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

export async function teardown() {
  await dynamo?.stop();
}
