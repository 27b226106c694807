import * as z from 'zod/mini';
import { recordRefSchema, recordTypeSchema } from './records';
import { cleanTemplateName } from './template-name';

export const templateBodySchema = z.strictObject({
  // Stored cleaned (NFKC, no invisible or direction-changing characters): what sellers see is what is compared.
  name: z.string().check(z.overwrite(cleanTemplateName), z.minLength(1), z.maxLength(128)),
  body: z.string().check(z.minLength(1), z.maxLength(1600)),
  /** The record types the template is meant for; none: every type. */
  recordTypes: z.optional(z.array(recordTypeSchema).check(z.minLength(1), z.maxLength(4))),
});
/** `to`: the number the text would go to (default: the record's mobile, then phone, then business), for the customer's time. */
export const renderBodySchema = z.strictObject({ record: recordRefSchema, to: z.optional(z.string().check(z.minLength(1), z.maxLength(40))) });
