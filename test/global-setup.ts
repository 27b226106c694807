import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type RunningDynamoDb } from '../scripts/local/dynamodb-local';

let dynamo: RunningDynamoDb | undefined;

/** One DynamoDB Local per test run; each test file creates its own fresh table in it. */
export async function setup(project: TestProject) {
  dynamo = await startDynamoDbLocal({ timeoutMs: 60_000 });
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

export async function teardown() {
  await dynamo?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
