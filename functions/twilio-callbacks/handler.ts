import { apiHandler, parseWith, rawBody, type ApiRequest } from '../../shared/http/api-handler';
import { defaultDeps, type Deps } from '../../shared/deps';
import { HttpError } from '../../shared/domain/errors';
import { verifyTwilioSignature } from '../../shared/providers/twilio-signature';
import { fromTwilioInbound, twilioInboundSchema } from '../../shared/providers/inbound-formats';
import { receiveInbound } from '../../shared/flows/receive-inbound';
import { publicRequestUrl } from '../../shared/http/request-url';
import { twilioCredentials, type TwilioCredentials } from '../../shared/secrets';
import { config } from '../../shared/config';
import { logger } from '../../shared/observability';
import { twilioStatusSchema, fromTwilioStatus } from '../../shared/providers/delivery-report-formats';
import { applyDeliveryReport } from '../../shared/flows/apply-delivery-report';
import { onFirstUse } from '../../shared/lambda';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export interface TwilioCallbackOptions {
  credentials?: () => Promise<TwilioCredentials>;
  publicBaseUrl?: string | undefined;
}

/** Form fields, verified against X-Twilio-Signature before anything else is looked at. */
async function verifiedForm(request: ApiRequest, options: Required<Pick<TwilioCallbackOptions, 'credentials'>> & TwilioCallbackOptions) {
  const params = [...new URLSearchParams(rawBody(request.event)).entries()];
  const { authToken } = await options.credentials();
  const url = publicRequestUrl(request.event, options.publicBaseUrl);
  if (!verifyTwilioSignature(authToken, url, params, request.headers['x-twilio-signature'])) {
    throw new HttpError('InvalidSignature', 'X-Twilio-Signature does not match this request');
  }
  return Object.fromEntries(params);
}

export function createHandler(deps: Deps, options: TwilioCallbackOptions = {}) {
  const resolved = { credentials: options.credentials ?? twilioCredentials, publicBaseUrl: 'publicBaseUrl' in options ? options.publicBaseUrl : config().PUBLIC_BASE_URL };
  return apiHandler('twilio-callbacks', {
    'POST /callbacks/twilio/inbound': async (request) => {
      const form = parseWith(twilioInboundSchema, await verifiedForm(request, resolved));
      const result = await receiveInbound(deps, fromTwilioInbound(form));
      logger.info('twilio inbound', { outcome: result.outcome, messageSid: form.MessageSid });
      return { status: 200, body: EMPTY_TWIML, headers: { 'content-type': 'text/xml' } };
    },
    'POST /callbacks/twilio/status': async (request) => {
      const form = parseWith(twilioStatusSchema, await verifiedForm(request, resolved));
      const outcome = await applyDeliveryReport(deps, fromTwilioStatus(form));
      return { status: 200, body: { outcome } };
    },
  }, { body: 'raw' });
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
