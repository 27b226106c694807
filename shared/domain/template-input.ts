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
export const renderBodySchema = z.strictObject({ record: recordRefSchema });
