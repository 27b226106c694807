import { afterAll, inject, vi } from 'vitest';
import type * as AwsSdkClientMock from 'aws-sdk-client-mock';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { TemplateModel, type CfnTemplate } from '../../scripts/local/synthesized-template';
import { installRecorder, recordedCalls, recordStandInCall } from './recorder';
import { FileMediaStore } from '../../scripts/local/file-media-store';
import { LocalScheduler } from '../../scripts/local/local-scheduler';
import { iamRequestsOf, type IamRequest } from './requests';
import { PolicyCheck, suggestedStatement } from './policy-check';

// Every test file records the AWS calls its functions make and checks them against their synthesized roles.
installRecorder();
recordMediaStoreCalls();
recordSchedulerCalls();

/** The local scheduler stands in for EventBridge Scheduler: each command it answers is the call the deployed client makes. */
function recordSchedulerCalls(): void {
  const prototype = LocalScheduler.prototype as unknown as { send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => unknown };
  const original = prototype.send;
  prototype.send = function (this: unknown, command) {
    recordStandInCall('SchedulerClient', command.constructor.name.replace(/Command$/, ''), command.input);
    return original.call(this, command);
  };
}

/**
 * The local media store (a folder) stands in for the media bucket: each of its operations is recorded as the S3
 * request the bucket store makes for it (shared/media/store.ts), so a missing S3 grant fails the tests too.
 */
function recordMediaStoreCalls(): void {
  const asS3: Record<string, (...args: string[]) => [string, Record<string, unknown>][]> = {
    put: (key) => [['PutObject', { Key: key }]],
    get: (key) => [['GetObject', { Key: key }]],
    peek: (key) => [['GetObject', { Key: key }]],
    delete: (key) => [['DeleteObject', { Key: key }]],
    copy: (from, to) => [['CopyObject', { Key: to, CopySource: `bucket/${from}` }]],
    downloadUrl: (key) => [['PresignedGet', { Key: key }]],
    fetchUrl: (key) => [['PresignedGet', { Key: key }]],
    uploadTarget: (key) => [['PresignedPost', { Key: key }]],
  };
  const prototype = FileMediaStore.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const [method, requests] of Object.entries(asS3)) {
    const original = prototype[method]!;
    prototype[method] = function (this: unknown, ...args: unknown[]) {
      for (const [operation, input] of requests(...(args as string[]))) recordStandInCall('S3Client', operation, input);
      return original.apply(this, args);
    };
  }
}
vi.mock('aws-sdk-client-mock', async (importOriginal) => {
  const original = await importOriginal<typeof AwsSdkClientMock>();
  const { recordSendOn, forgetMockWrapper } = await import('./recorder');
  const mockClient: typeof original.mockClient = (client, options) => {
    const prototype = (typeof client === 'function' ? (client as { prototype: unknown }).prototype : client) as Parameters<typeof recordSendOn>[0];
    forgetMockWrapper(prototype);
    const stub = original.mockClient(client, options);
    recordSendOn(prototype);
    // reset() stubs the class afresh (over the recorder's wrapper): wrap it again, or later calls go unchecked.
    const reset = stub.reset.bind(stub);
    stub.reset = () => {
      forgetMockWrapper(prototype);
      reset();
      recordSendOn(prototype);
      return stub;
    };
    return stub;
  };
  return { ...original, mockClient };
});

afterAll(async () => {
  if (recordedCalls.length === 0) return;
  const check = new PolicyCheck(new TemplateModel(JSON.parse(readFileSync(inject('iamTemplatePath'), 'utf8')) as CfnTemplate));
  const denied: string[] = [];
  const allowed = new Map<string, IamRequest>();
  for (const call of recordedCalls.splice(0)) {
    let requests: IamRequest[];
    try {
      requests = iamRequestsOf(call, check.model, check.fn(call.fn));
    } catch (error) {
      denied.push((error as Error).message);
      continue;
    }
    for (const request of requests) {
      const verdict = await check.check(request);
      if (verdict.allowed) {
        allowed.set(JSON.stringify([request.fn, request.action, request.resource, request.context['dynamodb:LeadingKeys']]), request);
      } else {
        const message = `${request.fn}: ${request.action} on ${request.resource}${request.context['dynamodb:LeadingKeys'] ? ` (keys ${JSON.stringify(request.context['dynamodb:LeadingKeys'])})` : ''} by ${request.call} is denied: ${verdict.explanation}. The role needs ${suggestedStatement(request)}`;
        if (!denied.includes(message)) denied.push(message);
      }
    }
  }
  // Allowed requests feed the report of grants no test exercised (test/iam/global.ts).
  const lines = [...allowed.values()].map((r) => JSON.stringify({ fn: r.fn, action: r.action, resource: r.resource, keys: r.context['dynamodb:LeadingKeys'] })).join('\n');
  if (lines) appendFileSync(join(inject('iamReportDir'), `allowed-${process.pid}-${randomUUID()}.jsonl`), `${lines}\n`);
  if (denied.length > 0) throw new Error(`AWS would refuse ${denied.length} call(s) these tests made:\n- ${denied.join('\n- ')}`);
});

declare module 'vitest' {
  export interface ProvidedContext {
    iamTemplatePath: string;
    iamReportDir: string;
  }
}
