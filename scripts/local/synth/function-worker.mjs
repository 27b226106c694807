// One Lambda function's execution environment for `npm start -- --synth`: a worker thread whose process.env
// is the function's template Environment (plus what Lambda itself sets), running the bundle `cdk synth` wrote.
// Plain JavaScript: it loads the bundle exactly as the Node.js runtime would, with no TypeScript loader in between.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';

const { entry, handlerName, functionName, timeoutMs, memorySize, redirects } = workerData;

// Hosts outside AWS (Twilio's API and media, SNS's signing certificates) are answered by the local stand-ins:
// the bundle's own URLs, sent elsewhere as a DNS entry would send them. Nothing else is changed.
const realFetch = globalThis.fetch;
const { URL } = globalThis;
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  for (const [from, to] of redirects) {
    if (url.startsWith(from)) return realFetch(to + url.slice(from.length), init);
  }
  return realFetch(input, init);
};

// The same for node:https requests (the media copier connects through its own checked lookup; aws-jwt-verify fetches
// the JWKS; the SDK's HTTP handler passes an options object), for the same hosts.
const realHttpsRequest = https.request;
const hrefOf = (input) => {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  if (input && typeof input === 'object' && (input.hostname || input.host)) {
    const port = input.port && Number(input.port) !== 443 ? `:${input.port}` : '';
    return `https://${input.hostname ?? input.host}${port}${input.path ?? '/'}`;
  }
  return undefined;
};
https.request = function redirected(input, options, callback) {
  const href = hrefOf(input);
  for (const [from, to] of href ? redirects : []) {
    if (!href.startsWith(from)) continue;
    const target = new URL(to + href.slice(from.length));
    if (typeof input === 'object' && !(input instanceof URL)) {
      // request(options, callback): the options name the host; keep the method and headers only.
      const { method, headers, timeout, signal } = input;
      return http.request(target, { method, headers, timeout, signal }, typeof options === 'function' ? options : callback);
    }
    const { lookup: _lookup, ...rest } = typeof options === 'object' && options !== null ? options : {};
    return http.request(target, rest, typeof options === 'function' ? options : callback);
  }
  return realHttpsRequest.apply(this, [input, options, callback].filter((a) => a !== undefined));
};
syncBuiltinESMExports();

const loaded = import(pathToFileURL(entry).href).then((module) => {
  const handler = module[handlerName];
  if (typeof handler !== 'function') throw new Error(`${entry} exports no function "${handlerName}"`);
  return handler;
});
// A bundle that cannot load fails each invocation with its error, as Lambda's Runtime.ImportModuleError does.
loaded.catch(() => undefined);

parentPort.on('message', async ({ id, event }) => {
  const started = Date.now();
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  try {
    const handler = await loaded;
    const result = await handler(event, context);
    parentPort.postMessage({ id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ id, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
