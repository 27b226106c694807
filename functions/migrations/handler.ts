import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { defaultDeps, type Deps } from '../../shared/deps';
import { runMigrations } from '../../shared/store/migrations/runner';
import { MIGRATIONS } from '../../shared/store/migrations/index';
import { count, logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { onFirstUse } from '../../shared/lambda';

/** CloudFormation's custom resource request (the stack's `Custom::Migrations`, created or updated with each release). */
export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties?: Record<string, unknown>;
}

/** The function's own asynchronous invocation: carry on with the migrations. */
export interface ContinueEvent {
  migrations: 'continue';
  /** The deploy (custom resource request) that started this chain of runs. */
  requestedBy: string;
  round: number;
}

/** Runs stop this long before Lambda's timeout, their progress saved: the next invocation continues. */
const STOP_BEFORE_TIMEOUT_MS = 60_000;
const PHYSICAL_ID = 'sms-crm-migrations';

export interface MigrationsIo {
  /** Invokes this function again, asynchronously (Lambda `Invoke`, `InvocationType: Event`). */
  continueLater(event: ContinueEvent): Promise<void>;
  /** Answers CloudFormation (an HTTPS PUT to the request's pre-signed `ResponseURL`). */
  respond(url: string, body: string): Promise<void>;
}

/**
 * The migrations after each deploy, without a human: CloudFormation's request (the custom resource) only starts
 * them (an asynchronous invocation of this function) and is answered at once, so a deploy never waits for hours.
 * Each run works until a minute before its timeout, saves its place, and invokes itself again until every
 * migration is done; a run that fails is retried twice, then lands in the failure queue (alarmed).
 */
export function createHandler(deps: Deps, io: MigrationsIo) {
  const handle = async (event: CustomResourceEvent | ContinueEvent, context: Context) => {
    if ('RequestType' in event) return answerCloudFormation(event, io);
    const deadline = Date.now() + Math.max(context.getRemainingTimeInMillis() - STOP_BEFORE_TIMEOUT_MS, 0);
    const run = await runMigrations(deps, { deadline, owner: context.awsRequestId });
    const pending = run.migrations.filter((m) => m.status !== 'done').length + (MIGRATIONS.length - run.migrations.length);
    count('MigrationsPending', pending);
    if (run.busy) {
      // Another run holds the lease and carries on itself: this chain ends.
      logger.info('migrations already running elsewhere', { requestedBy: event.requestedBy });
      return { done: false, busy: true };
    }
    logger.info('migration run', { requestedBy: event.requestedBy, round: event.round, done: run.done, migrations: run.migrations.map(({ id, status, visited, changed }) => ({ id, status, visited, changed })) });
    if (!run.done) await io.continueLater({ ...event, round: event.round + 1 });
    return { done: run.done };
  };
  return middy(handle).use(logContext(logger)).use(publishMetrics(metrics));
}

async function answerCloudFormation(event: CustomResourceEvent, io: MigrationsIo): Promise<{ status: string }> {
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'migrations started';
  try {
    // A stack deleted (or rolled back) starts nothing: its data is retained and migrates with the next deploy.
    if (event.RequestType !== 'Delete') await io.continueLater({ migrations: 'continue', requestedBy: event.RequestId, round: 1 });
  } catch (error) {
    status = 'FAILED';
    reason = `the migrations could not be started: ${(error as Error).name}`;
    logger.error('migrations not started', { error: error as Error });
  }
  await io.respond(
    event.ResponseURL,
    JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: { Migrations: String(MIGRATIONS.length) } }),
  );
  return { status };
}

/** In AWS: this function invokes itself by its own name, and answers CloudFormation's pre-signed URL. */
export function awsMigrationsIo(lambda = new LambdaClient({})): MigrationsIo {
  return {
    async continueLater(event) {
      await lambda.send(new InvokeCommand({ FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
    },
    async respond(url, body) {
      // The pre-signed URL expects no content type (it is part of the signature).
      const response = await fetch(url, { method: 'PUT', headers: { 'content-type': '' }, body });
      if (!response.ok) throw new Error(`CloudFormation's response URL answered ${response.status}`);
    },
  };
}

export const handler = onFirstUse(() => createHandler(defaultDeps(), awsMigrationsIo()));
