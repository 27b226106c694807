import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Cold starts: outbound-send loads the AWS SMS clients only for a message that uses them. Each SDK
 * module counts its own evaluation (vi.mock runs the factory when the module is first imported).
 */
const loads = vi.hoisted(() => ({ pinpoint: 0, eum: 0 }));
vi.mock('@aws-sdk/client-pinpoint', async (importOriginal) => {
  loads.pinpoint++;
  return importOriginal();
});
vi.mock('@aws-sdk/client-pinpoint-sms-voice-v2', async (importOriginal) => {
  loads.eum++;
  return importOriginal();
});

let twilio: Server;
let twilioBase: string;
let aws: Server;
let awsBase: string;

beforeAll(async () => {
  twilio = createServer((_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: 'SM1', status: 'queued' })));
  aws = createServer((_req, res) => res.writeHead(500).end());
  await Promise.all([new Promise<void>((r) => twilio.listen(0, '127.0.0.1', r)), new Promise<void>((r) => aws.listen(0, '127.0.0.1', r))]);
  twilioBase = `http://127.0.0.1:${(twilio.address() as AddressInfo).port}`;
  awsBase = `http://127.0.0.1:${(aws.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([new Promise((r) => twilio.close(r)), new Promise((r) => aws.close(r))]);
});

describe('provider clients load with their first send', () => {
  it('sending through Twilio or the sandbox evaluates neither the Pinpoint nor the End User Messaging client module', async () => {
    const { awsProviders } = await import('../../shared/providers/registry');
    const providers = awsProviders({
      region: 'us-east-1',
      timeoutMs: 2000,
      pinpointApplicationId: 'app',
      pinpointEndpoint: awsBase,
      eumEndpoint: awsBase,
      twilioBaseUrl: twilioBase,
      twilioCredentials: async () => ({ accountSid: 'AC1', authToken: 'token' }),
    });
    const sms = { messageId: 'm1', from: '+14255550100', to: '+14255550123', body: 'Hello' };
    expect((await providers('twilio').send(sms)).outcome).toBe('sent');
    expect((await providers('sandbox').send(sms)).outcome).toBe('sent');
    expect(loads).toEqual({ pinpoint: 0, eum: 0 });

    // The counters do count: a send through each AWS provider loads its module, once.
    await providers('pinpoint').send(sms);
    await providers('eum').send(sms);
    await providers('eum').send(sms);
    expect(loads).toEqual({ pinpoint: 1, eum: 1 });
  });
});
