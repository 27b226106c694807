import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { call } from '../helpers/api';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { awsProviders } from '../../shared/providers/registry';

/**
 * A provider that takes the request and never answers, through the production provider factory
 * (real SDK clients with their retry layer, the real Twilio adapter): the SMS may have left, so
 * exactly one request reaches the provider and the message ends `unknown` / `ProviderTimeout`.
 */
class HangingProvider {
  readonly requests: { method: string; url: string }[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  constructor() {
    this.server = createServer((req: IncomingMessage) => {
      this.requests.push({ method: req.method ?? '', url: req.url ?? '' });
      req.resume(); // read the body, answer nothing
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const stubs = { pinpoint: new HangingProvider(), eum: new HangingProvider(), twilio: new HangingProvider() };
const numbers = { pinpoint: '+14255579001', eum: '+14255579002', twilio: '+14255579003' } as const;
let t: TestTable;
let outbound: ReturnType<typeof createOutbound>;

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.seller('alice');
  for (const [provider, number] of Object.entries(numbers)) await org.number(number, { type: 'seller', id: 'alice' }, provider);
  await org.record('contact', 'ada', { mobile: '+14255579100', ownerId: 'alice' });
  const [pinpoint, eum, twilio] = await Promise.all([stubs.pinpoint.start(), stubs.eum.start(), stubs.twilio.start()]);
  outbound = createOutbound(
    t,
    awsProviders({
      region: 'us-east-1',
      timeoutMs: 400,
      pinpointApplicationId: 'app-123',
      pinpointEndpoint: pinpoint,
      eumEndpoint: eum,
      twilioBaseUrl: twilio,
      twilioCredentials: async () => ({ accountSid: 'AC1', authToken: 'token' }),
    }),
  );
});

afterAll(async () => {
  await Promise.all(Object.values(stubs).map((s) => s.stop()));
});

describe('a provider that never answers', () => {
  it.each(Object.keys(numbers) as (keyof typeof numbers)[])('%s: one request only, and the message ends unknown with ProviderTimeout', async (provider) => {
    const response = await call(outbound, 'POST', '/messages', { as: { sub: 'alice' }, body: { record: { type: 'contact', id: 'ada' }, from: numbers[provider], body: `hello via ${provider}` } });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'unknown', statusReason: { code: 'ProviderTimeout' } });
    // Give any retry the SDK or the adapter might make time to arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(stubs[provider].requests).toHaveLength(1);
    expect(stubs[provider].requests[0]!.method).toBe('POST');
  });
});
