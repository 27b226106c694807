import * as z from 'zod/mini';
import type { E164 } from './phone';
import { recordTypeNames, type RecordType } from './types';

export const recordTypes = recordTypeNames;
export const phoneFields = ['phone', 'business', 'mobile'] as const;
export type PhoneField = (typeof phoneFields)[number];

export const recordTypeSchema = z.enum(recordTypes);
export const recordRefSchema = z.strictObject({ type: recordTypeSchema, id: z.string().check(z.minLength(1), z.maxLength(128)) });
export type RecordRef = z.infer<typeof recordRefSchema>;

export const idSchema = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9._:@-]+$/, 'ids use letters, digits and . _ : @ -'));

const phoneText = z.nullish(z.string().check(z.maxLength(40)));

export const recordBodySchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(256)),
  phone: phoneText,
  business: phoneText,
  mobile: phoneText,
  ownerId: z.nullish(idSchema),
  owningTeamId: z.nullish(idSchema),
  state: z.enum(['active', 'inactive']),
  modifiedAt: z.optional(z.iso.datetime({ offset: true })),
  accountId: z.nullish(idSchema),
  contactIds: z.optional(z.array(idSchema).check(z.maxLength(50))),
});
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
