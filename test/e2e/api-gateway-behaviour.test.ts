import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import twilio from 'twilio';
import { freshTable, type TestTable } from '../helpers/table';
import { freePort } from '../../scripts/local/dynamodb-local';
import { startLocalServer } from '../../scripts/local/server';
import { LocalAuth } from '../../scripts/local/local-auth';
import { OrgBuilder } from '../helpers/org';
import { assertDeclaredHttpResponse } from '../helpers/openapi-contract';

/**
 * The local stack behaves as API Gateway's HTTP API does in front of the same handlers: literal paths,
 * the raw query string passed through (Twilio signs it), CORS from the configured origins, and 415 for
 * a JSON route given another media type.
 */
const TWILIO_TOKEN = 'api-gw-token';
const NUMBER = '+14255579501';
let t: TestTable;
let stack: Awaited<ReturnType<typeof startLocalServer>>;
let alice: string;
let adminToken: string;

beforeAll(async () => {
  t = await freshTable();
  stack = await startLocalServer({ port: await freePort(), dynamoEndpoint: t.endpoint, table: t.table, twilioAuthToken: TWILIO_TOKEN, jwtSecret: 'api-gw-secret', logNotifications: false, streams: false });
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.number(NUMBER, { type: 'seller', id: 'alice' }, 'twilio');
  await org.number('+14255579502', { type: 'seller', id: 'alice' });
  await org.number('+14255579503', { type: 'seller', id: 'alice' });
  const auth = new LocalAuth('api-gw-secret');
  alice = await auth.issue('alice');
  adminToken = await auth.issue('admin-1', ['admin']);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

/** A raw HTTP request: the request target is sent exactly as given (fetch would normalize `//` and dot segments). */
function raw(method: string, target: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path: target, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          // Every answer of a documented route is checked against docs/openapi.json.
          if (method !== 'OPTIONS') assertDeclaredHttpResponse(method, target, res.statusCode ?? 0, res.headers['content-type'], body && res.headers['content-type']?.includes('json') ? JSON.parse(body) : body);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('CORS, as configured for API Gateway', () => {
  it('answers a preflight from an allowed origin with the allowed methods and headers', async () => {
    const response = await raw('OPTIONS', '/me/conversations', { headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(response.headers['access-control-allow-methods']).toContain('GET');
    expect(response.headers['access-control-allow-headers']).toContain('authorization');
    expect(response.headers['access-control-allow-headers']).toContain('idempotency-key');
    const actual = await raw('GET', '/me/conversations', { headers: { origin: 'http://localhost:5173', authorization: `Bearer ${alice}` } });
    expect(actual.status).toBe(200);
    expect(actual.headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it('gives another origin no CORS headers, so the browser refuses', async () => {
    const response = await raw('OPTIONS', '/me/conversations', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const actual = await raw('GET', '/me/conversations', { headers: { origin: 'https://evil.example', authorization: `Bearer ${alice}` } });
    expect(actual.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('media types', () => {
  it('a JSON route given text/plain answers 415 UnsupportedMediaType', async () => {
    const response = await raw('POST', '/templates', { headers: { authorization: `Bearer ${alice}`, 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'x', body: 'y' }) });
    expect(response.status).toBe(415);
    expect(JSON.parse(response.body).error.code).toBe('UnsupportedMediaType');
    const xml = await raw('POST', '/templates', { headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/xml' }, body: '{}' });
    expect(xml.status).toBe(415);
    const withCharset = await raw('POST', '/templates', { headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ name: 'Charset', body: 'ok' }) });
    expect(withCharset.status).toBe(201);
  });
});

describe('paths are matched literally', () => {
  it.each(['//me/conversations', '/me/conversations/', '/me//conversations', '//evil.example/me/conversations'])('%s answers 404', async (target) => {
    const response = await raw('GET', target, { headers: { authorization: `Bearer ${alice}` } });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body).error.code).toBe('NotFound');
  });

  it('DELETE /templates//{id} deletes nothing', async () => {
    const created = await raw('POST', '/templates', { headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Keep me', body: 'x' }) });
    const id = JSON.parse(created.body).id as string;
    expect((await raw('DELETE', `/templates//${id}`, { headers: { authorization: `Bearer ${alice}` } })).status).toBe(404);
    const list = await raw('GET', '/templates?limit=100', { headers: { authorization: `Bearer ${alice}` } });
    expect(JSON.parse(list.body).items.map((x: { id: string }) => x.id)).toContain(id);
  });
});

describe('the raw query string reaches the handler untouched', () => {
  it('a Twilio webhook signed (by the twilio package) for a URL with %20, ~ and a repeated key answers 200', async () => {
    const url = `${stack.url}/callbacks/twilio/inbound?a=1&a=2&t=x~1&s=a%20b`;
    const params = { MessageSid: 'SMrawquery1', AccountSid: 'AClocal', From: '+14255579600', To: NUMBER, Body: 'signed over the raw query', NumMedia: '0' };
    const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, params);
    const response = await raw('POST', '/callbacks/twilio/inbound?a=1&a=2&t=x~1&s=a%20b', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(200);
    expect(response.body).toContain('<Response/>');
  });
});

describe('GET /me/numbers pages like every list', () => {
  it.each(['0', '101', 'abc'])('limit=%s answers 400', async (limit) => {
    expect((await raw('GET', `/me/numbers?limit=${limit}`, { headers: { authorization: `Bearer ${alice}` } })).status).toBe(400);
  });

  it('pages through the numbers in order, each once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await raw('GET', `/me/numbers?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${alice}` } });
      const body = JSON.parse(page.body) as { items: { number: string }[]; nextCursor?: string };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((n) => n.number));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['+14255579501', '+14255579502', '+14255579503']);
    // A cursor is bound to its caller.
    const first = JSON.parse((await raw('GET', '/me/numbers?limit=1', { headers: { authorization: `Bearer ${alice}` } })).body) as { nextCursor: string };
    expect((await raw('GET', `/me/numbers?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(400);
  });
});
