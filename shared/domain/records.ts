import * as z from 'zod';
import type { E164 } from './phone';
import { recordTypeNames, type RecordType } from './types';

export const recordTypes = recordTypeNames;
export const phoneFields = ['phone', 'business', 'mobile'] as const;
export type PhoneField = (typeof phoneFields)[number];

export const recordTypeSchema = z.enum(recordTypes);
export const recordRefSchema = z.object({ type: recordTypeSchema, id: z.string().min(1).max(128) }).strict();
export type RecordRef = z.infer<typeof recordRefSchema>;

export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'ids use letters, digits and . _ : @ -');

export const recordBodySchema = z
  .object({
    name: z.string().min(1).max(256),
    phone: z.string().max(40).nullish(),
    business: z.string().max(40).nullish(),
    mobile: z.string().max(40).nullish(),
    ownerId: idSchema.nullish(),
    owningTeamId: idSchema.nullish(),
    state: z.enum(['active', 'inactive']),
    modifiedAt: z.iso.datetime({ offset: true }).optional(),
    accountId: idSchema.nullish(),
    contactIds: z.array(idSchema).max(50).optional(),
  })
  .strict();
export type RecordBody = z.infer<typeof recordBodySchema>;

export interface CrmRecord {
  type: RecordType;
  id: string;
  name: string;
  phone?: E164;
  business?: E164;
  mobile?: E164;
  ownerId?: string;
  owningTeamId?: string;
  state: 'active' | 'inactive';
  modifiedAt: string;
  accountId?: string;
  contactIds?: string[];
}

/** Distinct numbers a record holds, with the fields that hold each. */
export function numbersOf(record: Pick<CrmRecord, PhoneField>): Map<E164, PhoneField[]> {
  const byNumber = new Map<E164, PhoneField[]>();
  for (const field of phoneFields) {
    const value = record[field];
    if (value) byNumber.set(value, [...(byNumber.get(value) ?? []), field]);
  }
  return byNumber;
}
