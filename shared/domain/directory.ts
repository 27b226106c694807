import * as z from 'zod/mini';
import { idSchema } from './records';
import { providerNames } from './types';

const name = z.string().check(z.minLength(1), z.maxLength(256));

export const sellerBodySchema = z.strictObject({
  name,
  teamIds: z.array(idSchema).check(z.maxLength(50)),
  roles: z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(20)),
});

export const teamBodySchema = z.strictObject({ name });

export const principalSchema = z.strictObject({ type: z.enum(['seller', 'team']), id: idSchema });

export const numberBodySchema = z.strictObject({
  assignedTo: principalSchema,
  provider: z.enum(providerNames),
  label: z.optional(z.string().check(z.maxLength(128))),
});

