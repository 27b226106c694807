import { HttpError } from './errors';
import type { CrmRecord } from './records';

/** Record fields a template may name as {{record.<field>}}. */
export const recordPlaceholderFields = ['name', 'type', 'id', 'phone', 'business', 'mobile', 'state', 'accountId'] as const;
const allowed = new Set<string>([...recordPlaceholderFields.map((f) => `record.${f}`), 'seller.name']);

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function placeholdersOf(body: string): string[] {
  return [...body.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Refuses a template that names anything we cannot fill, listing each unknown placeholder. */
export function assertKnownPlaceholders(body: string): void {
  const unknown = [...new Set(placeholdersOf(body).filter((p) => !allowed.has(p)))];
  if (unknown.length > 0) {
    throw new HttpError('UnknownPlaceholder', `unknown placeholder${unknown.length > 1 ? 's' : ''}: ${unknown.map((p) => `{{${p}}}`).join(', ')}`, {
      unknown,
      allowed: [...allowed],
    });
  }
}

export interface TemplateContext {
  record: Pick<CrmRecord, (typeof recordPlaceholderFields)[number]>;
  seller: { name: string };
}

export function renderTemplate(body: string, context: TemplateContext): string {
  return body.replace(PLACEHOLDER, (_match, name: string) => {
    if (name === 'seller.name') return context.seller.name;
    const field = name.slice('record.'.length) as (typeof recordPlaceholderFields)[number];
    if (!name.startsWith('record.') || !recordPlaceholderFields.includes(field)) throw new HttpError('UnknownPlaceholder', `unknown placeholder: {{${name}}}`);
    return String(context.record[field] ?? '');
  });
}
