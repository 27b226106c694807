import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SynthesizedFunction } from '../synthesized-template';

/** What Lambda adds to a function's own Environment, pointed at this machine's stand-ins. */
export interface LambdaEnvironment {
  region: string;
  /** DynamoDB Local. */
  dynamodbEndpoint: string;
  /** The local S3 server. */
  s3Endpoint: string;
  /** SNS, SQS, EventBridge, Secrets Manager, Lambda and End User Messaging (scripts/local/synth/aws-stand-ins.ts). */
  awsEndpoint: string;
  /** URL prefixes outside AWS and where the stand-ins answer them (Twilio, SNS signing certificates). */
  redirects: [string, string][];
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** An invocation that failed inside the function: its error, as Lambda reports a function error. */
export class FunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
    readonly errorStack?: string,
  ) {
    super(`${functionName}: ${errorType}: ${message}`);
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const LOG_LINES_KEPT = 2000;

/** One function of the template, running from its bundle in a worker thread. */
export class FunctionWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** What the function wrote to stdout and stderr (CloudWatch Logs in AWS), newest last. */
  readonly logs: string[] = [];

  constructor(
    readonly fn: SynthesizedFunction,
    bundleDir: string,
    env: LambdaEnvironment,
    echo: boolean,
  ) {
    const [file, handlerName] = splitHandler(fn.handler);
    const entry = ['.mjs', '.js', '.cjs'].map((ext) => join(bundleDir, `${file}${ext}`)).find((candidate) => existsSync(candidate));
    if (!entry) throw new Error(`${fn.name}: the bundle ${bundleDir} has no ${file}.mjs for handler ${fn.handler}`);
    this.worker = new Worker(new URL('./function-worker.mjs', import.meta.url), {
      // The function's process.env is its template Environment and Lambda's own variables, nothing of this process.
      env: {
        ...fn.environment,
        AWS_REGION: env.region,
        AWS_DEFAULT_REGION: env.region,
        AWS_ACCESS_KEY_ID: env.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: env.credentials.secretAccessKey,
        AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs_local',
        LAMBDA_TASK_ROOT: bundleDir,
        // The local stand-ins, through the SDK's documented per-service endpoint variables.
        AWS_ENDPOINT_URL: env.awsEndpoint,
        AWS_ENDPOINT_URL_DYNAMODB: env.dynamodbEndpoint,
        AWS_ENDPOINT_URL_S3: env.s3Endpoint,
        // Node 20 runs the local stack; Lambda runs Node 22 or newer.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      workerData: { entry, handlerName, functionName: fn.logicalId, timeoutMs: fn.timeoutSeconds * 1000, memorySize: fn.memorySize, redirects: env.redirects },
      stdout: true,
      stderr: true,
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (!line) continue;
          this.logs.push(line);
          if (echo) console.log(`[${fn.name}] ${line}`);
        }
        if (this.logs.length > LOG_LINES_KEPT) this.logs.splice(0, this.logs.length - LOG_LINES_KEPT);
      });
    }
    this.worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: { name: string; message: string; stack?: string } }) => {
      const call = this.pending.get(id);
      if (!call) return;
      this.pending.delete(id);
      clearTimeout(call.timer);
      if (error) call.reject(new FunctionError(fn.name, error.name, error.message, error.stack));
      else call.resolve(result);
    });
    this.worker.on('error', (error) => {
      for (const call of this.pending.values()) call.reject(new FunctionError(fn.name, 'Runtime.ExitError', error.message));
      this.pending.clear();
    });
  }

  /** One invocation: its result, or a FunctionError (also when it runs past the template's Timeout). */
  invoke(event: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new FunctionError(this.fn.name, 'Sandbox.Timedout', `Task timed out after ${this.fn.timeoutSeconds} seconds`));
      }, this.fn.timeoutSeconds * 1000);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, event });
    });
  }

  async stop(): Promise<void> {
    for (const call of this.pending.values()) clearTimeout(call.timer);
    await this.worker.terminate();
  }
}

/** `index.handler` → [`index`, `handler`]. */
function splitHandler(handler: string): [string, string] {
  const at = handler.lastIndexOf('.');
  return [handler.slice(0, at), handler.slice(at + 1)];
}
