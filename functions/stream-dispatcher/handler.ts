import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { config } from '../../shared/config';
import { dispatchStream, type InvokeConsumer } from '../../shared/flows/dispatch-stream';
import { logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { onFirstUse } from '../../shared/lambda';

export function createHandler(invoke: InvokeConsumer) {
  const dispatch = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const result = await dispatchStream(event, invoke);
    if (result.batchItemFailures.length > 0) logger.error('a consumer could not be invoked; the stream retries from its first record', { failed: result.batchItemFailures.length });
    return result;
  };
  return middy(dispatch).use(logContext(logger)).use(publishMetrics(metrics));
}

/** Asynchronous invocations of the consumers named in the environment (their function names from the template). */
export function lambdaInvoker(client: LambdaClient, functionNames: Record<string, string | undefined>): InvokeConsumer {
  return async (consumer, event) => {
    const functionName = functionNames[consumer];
    if (!functionName) throw new Error(`no function configured for ${consumer}`);
    await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
  };
}

export const handler = onFirstUse(() =>
  createHandler(lambdaInvoker(new LambdaClient({ region: config().AWS_REGION }), { 'media-copier': config().MEDIA_COPIER_FUNCTION, 'crm-events': config().CRM_EVENTS_FUNCTION, automations: config().AUTOMATIONS_FUNCTION })),
);
