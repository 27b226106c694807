import { apiHandler, parseWith } from '../../shared/http/api-handler';
import { defaultDeps, type Deps } from '../../shared/deps';
import { HttpError } from '../../shared/domain/errors';
import { config } from '../../shared/config';
import { httpsFetchText, isFreshSnsMessage, isSnsSubscribeUrl, SnsSignatureVerifier, snsHttpEnvelopeSchema, type FetchText } from '../../shared/providers/sns-signature';
import { handleSmsNotification } from '../../shared/flows/route-sms-notification';
import { inboundSmsPath } from '../../shared/flows/sms-notification-paths/inbound';
import { smsEventPath } from '../../shared/flows/sms-notification-paths/events';
import { logger } from '../../shared/observability';
import { onFirstUse } from '../../shared/lambda';

export interface SnsCallbackOptions {
  allowedTopicArns?: string[];
  fetchText?: FetchText;
}

/** SNS HTTPS subscription endpoint: verify, confirm configured topics, route notifications. */
export function createHandler(deps: Deps, options: SnsCallbackOptions = {}) {
  const allowed = new Set(options.allowedTopicArns ?? config().SNS_ALLOWED_TOPIC_ARNS.split(',').map((a) => a.trim()).filter(Boolean));
  const fetchText = options.fetchText ?? ((url: string) => httpsFetchText(url));
  const verifier = options.fetchText ? new SnsSignatureVerifier(options.fetchText) : new SnsSignatureVerifier();

  return apiHandler('sns-callbacks', {
    'POST /callbacks/sns': async ({ body }) => {
      const envelope = parseWith(snsHttpEnvelopeSchema, body);
      if (!(await verifier.verify(envelope))) throw new HttpError('InvalidSignature', 'the SNS message signature does not verify (only SignatureVersion 2 is accepted)');
      // A signed message captured and replayed later still verifies: only the last hour's are accepted.
      if (!isFreshSnsMessage(envelope.Timestamp, deps.clock.now())) throw new HttpError('InvalidSignature', 'the SNS message is more than 1 hour old or from the future');
      // A valid signature only proves AWS sent it; the topic must be one of ours too.
      if (!allowed.has(envelope.TopicArn)) throw new HttpError('InsufficientPrivileges', `topic ${envelope.TopicArn} is not configured for this endpoint`);

      if (envelope.Type === 'SubscriptionConfirmation') {
        if (!envelope.SubscribeURL || !isSnsSubscribeUrl(envelope.SubscribeURL, envelope.TopicArn)) throw new HttpError('ValidationError', 'SubscribeURL is not this topic\'s SNS ConfirmSubscription URL');
        await fetchText(envelope.SubscribeURL);
        logger.info('SNS subscription confirmed', { topicArn: envelope.TopicArn });
        return { status: 200, body: { confirmed: true } };
      }
      if (envelope.Type === 'UnsubscribeConfirmation') return { status: 200, body: { ignored: true } };

      const outcome = await handleSmsNotification(deps, envelope.Message, { inbound: inboundSmsPath, events: smsEventPath });
      return { status: 200, body: outcome.kind === 'inbound' ? { kind: 'inbound', outcome: outcome.result.outcome } : outcome };
    },
    // SNS posts its JSON envelope as text/plain; charset=UTF-8.
  }, { body: 'json', accepts: ['text/plain', 'application/json'] });
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
