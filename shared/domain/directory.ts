import * as z from 'zod';
import { idSchema } from './records';
import { providerNames } from './types';

export const sellerBodySchema = z
  .object({
    name: z.string().min(1).max(256),
    teamIds: z.array(idSchema).max(50),
    roles: z.array(z.string().min(1).max(64)).max(20),
  })
  .strict();

export const teamBodySchema = z.object({ name: z.string().min(1).max(256) }).strict();

export const principalSchema = z.object({ type: z.enum(['seller', 'team']), id: idSchema }).strict();

export const numberBodySchema = z
  .object({
    assignedTo: principalSchema,
    provider: z.enum(providerNames),
    label: z.string().max(128).optional(),
  })
  .strict();

