import * as z from 'zod/mini';
import { idSchema } from './records';
import { providerNames } from './types';
import { businessHoursSchema } from './business-hours';

const name = z.string().check(z.minLength(1), z.maxLength(256));

export const sellerBodySchema = z.strictObject({
  name,
  teamIds: z.array(idSchema).check(z.maxLength(50)),
  roles: z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(20)),
});

/** Auto-assignment of a team's new conversations (contract, "Team inboxes"). */
export const autoAssignSchema = z.strictObject({
  mode: z.literal('round_robin'),
  maxOpen: z.optional(z.int().check(z.minimum(1), z.maximum(10_000))),
});
export type AutoAssign = z.infer<typeof autoAssignSchema>;

export const teamBodySchema = z.strictObject({ name, autoAssign: z.optional(autoAssignSchema) });

/** The after-hours reply: template syntax ({{record.name|…}}, {{seller.name|…}}), checked when saved. */
export const autoReplySchema = z.strictObject({ body: z.string().check(z.minLength(1), z.maxLength(1600)) });
export type AutoReply = z.infer<typeof autoReplySchema>;

export const principalSchema = z.strictObject({ type: z.enum(['seller', 'team']), id: idSchema });

export const numberBodySchema = z.strictObject({
  assignedTo: principalSchema,
  provider: z.enum(providerNames),
  label: z.optional(z.string().check(z.maxLength(128))),
  businessHours: z.optional(businessHoursSchema),
  autoReply: z.optional(autoReplySchema),
});

