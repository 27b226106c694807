import * as z from 'zod';
import { recordRefSchema } from './records';

export const templateBodySchema = z.object({ name: z.string().trim().min(1).max(128), body: z.string().min(1).max(1600) }).strict();
export const renderBodySchema = z.object({ record: recordRefSchema }).strict();
