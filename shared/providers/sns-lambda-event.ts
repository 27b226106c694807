import * as z from 'zod/mini';

/** SNS → Lambda event (note the Lambda spelling: SigningCertUrl, UnsubscribeUrl). */
export const snsLambdaEventSchema = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns'),
        Sns: z.object({ MessageId: z.string(), TopicArn: z.string(), Message: z.string(), Timestamp: z.string() }),
      }),
    )
    .check(z.minLength(1)),
});
export type SnsLambdaEvent = z.infer<typeof snsLambdaEventSchema>;
