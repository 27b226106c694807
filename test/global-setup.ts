import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type RunningDynamoDb } from '../scripts/local/dynamodb-local';
import { checkGrantCoverage, IAM_REPORT_DIR, synthesizeForIamCheck } from './iam/global';

let dynamo: RunningDynamoDb | undefined;
let iamTemplatePath: string | undefined;

/** One DynamoDB Local per test run; each test file creates its own fresh table in it. The IAM check's template is synthesized once. */
export async function setup(project: TestProject) {
  iamTemplatePath = synthesizeForIamCheck();
  project.provide('iamTemplatePath', iamTemplatePath);
  project.provide('iamReportDir', IAM_REPORT_DIR);
  dynamo = await startDynamoDbLocal({ timeoutMs: 60_000 });
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

/** `npm test` runs the whole suite with IAM_GRANT_COVERAGE=1: then every grant no test exercised must be justified. */
export async function teardown() {
  await dynamo?.stop();
  if (process.env.IAM_GRANT_COVERAGE === '1' && iamTemplatePath) {
    const problems = checkGrantCoverage(iamTemplatePath);
    if (problems.length > 0) {
      process.exitCode = 1;
      throw new Error(`IAM grant coverage (reports/iam/grants.md):\n- ${problems.join('\n- ')}`);
    }
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
