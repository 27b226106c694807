import { createRequire } from 'node:module';
import { currentFunction } from '../../scripts/local/function-scope';
import type { RecordedCall } from './requests';

/**
 * Records every AWS SDK call made while a function runs (scripts/local/function-scope.ts says which):
 * `send` is wrapped on the SDK's one Client base class, and again on each class aws-sdk-client-mock
 * stubs, since its stub answers without reaching the base class.
 */
export const recordedCalls: RecordedCall[] = [];

const RECORDING = Symbol('iam-recording');
type Sendable = { send: ((...args: unknown[]) => unknown) & { [RECORDING]?: true } };

/**
 * Records a call the code would make through the AWS SDK in AWS but makes through a local stand-in here (the
 * media store's folder stands in for the S3 bucket): the same action, checked against the same role.
 */
export function recordStandInCall(client: string, operation: string, input: Record<string, unknown>): void {
  const fn = currentFunction();
  if (fn) recordedCalls.push({ fn, client, operation, input });
}

function record(client: object, command: unknown): void {
  const fn = currentFunction();
  const input = (command as { input?: unknown } | undefined)?.input;
  if (!fn || !input || typeof input !== 'object') return;
  recordedCalls.push({ fn, client: client.constructor.name, operation: (command as object).constructor.name.replace(/Command$/, ''), input: input as Record<string, unknown> });
}

/** Wraps `send` where it is defined on this prototype (a no-op when already wrapped). */
export function recordSendOn(prototype: Sendable): void {
  const original = prototype.send;
  if (original[RECORDING]) return;
  const wrapped = function (this: object, command: unknown, ...rest: unknown[]) {
    record(this, command);
    return original.call(this, command, ...rest);
  } as Sendable['send'];
  wrapped[RECORDING] = true;
  prototype.send = wrapped;
}

/** Removes this module's wrapper from a mocked class before aws-sdk-client-mock stubs it again. */
export function forgetMockWrapper(prototype: Sendable): void {
  if (Object.hasOwn(prototype, 'send') && prototype.send[RECORDING]) delete (prototype as Partial<Sendable>).send;
}

let installed = false;
export function installRecorder(): void {
  if (installed) return;
  installed = true;
  // The SDK clients load as CommonJS from node_modules; all share @smithy/core's Client.
  const require = createRequire(import.meta.url);
  const { Client } = require('@smithy/core/client') as { Client: { prototype: Sendable } };
  recordSendOn(Client.prototype);
}
