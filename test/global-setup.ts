import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type RunningDynamoDb } from '../scripts/local/dynamodb-local';
import { checkGrantCoverage, IAM_REPORT_DIR, synthesizeForIamCheck } from './iam/global';
import { ensureConsoleBuilt } from '../scripts/local/console-files';

let dynamo: RunningDynamoDb | undefined;
let iamTemplatePath: string | undefined;

/** One DynamoDB Local per test run; each test file creates its own fresh table in it. The IAM check's template is synthesized once. */
export async function setup(project: TestProject) {
  // The browser tests test the console as its sources are now: built once here when missing or older than them.
  await ensureConsoleBuilt();
  iamTemplatePath = synthesizeForIamCheck();
  project.provide('iamTemplatePath', iamTemplatePath);
  project.provide('iamReportDir', IAM_REPORT_DIR);
  dynamo = await startDynamoDbLocal({ timeoutMs: 60_000 });
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

/**
 * After the run: reports/iam/grants.md lists every grant no test exercised. With IAM_GRANT_COVERAGE=1 a grant
 * neither exercised nor justified in test/iam/unexercised-grants.ts fails the run (not yet the default: see README).
 */
export async function teardown() {
  await dynamo?.stop();
  if (iamTemplatePath) {
    const problems = checkGrantCoverage(iamTemplatePath);
    if (problems.length > 0 && process.env.IAM_GRANT_COVERAGE === '1') {
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
