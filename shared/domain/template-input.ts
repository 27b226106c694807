import * as z from 'zod';
import { recordRefSchema, recordTypeSchema } from './records';

export const templateBodySchema = z
  .object({
    name: z.string().trim().min(1).max(128),
    body: z.string().min(1).max(1600),
    /** The record types the template is meant for; none: every type. */
    recordTypes: z.array(recordTypeSchema).min(1).max(4).optional(),
  })
  .strict();
export const renderBodySchema = z.object({ record: recordRefSchema }).strict();
