import { HttpError } from './errors';
import type { CrmRecord } from './records';

/** Record fields a template may name as {{record.<field>}}. */
export const recordPlaceholderFields = ['name', 'type', 'id', 'phone', 'business', 'mobile', 'state', 'accountId'] as const;
const allowed = new Set<string>([...recordPlaceholderFields.map((f) => `record.${f}`), 'seller.name']);

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** A placeholder: its name, and the default after `|` used when the value is empty or missing. */
export interface Placeholder {
  name: string;
  fallback?: string;
}

function parsePlaceholder(inside: string): Placeholder {
  const bar = inside.indexOf('|');
  return bar < 0 ? { name: inside.trim() } : { name: inside.slice(0, bar).trim(), fallback: inside.slice(bar + 1).trim() };
}

/** The names of a body's placeholders, in order (defaults left out). */
export function placeholdersOf(body: string): string[] {
  return [...body.matchAll(PLACEHOLDER)].map((m) => parsePlaceholder(m[1]!).name);
}

/** The placeholders of a body that nothing can fill, once each, in order. */
export function unknownPlaceholders(body: string): string[] {
  return [...new Set(placeholdersOf(body).filter((p) => !allowed.has(p)))];
}

/** Refuses a template that names anything we cannot fill, listing each unknown placeholder. */
export function assertKnownPlaceholders(body: string): void {
  const unknown = unknownPlaceholders(body);
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

export interface Rendered {
  body: string;
  /** Placeholders that had no value and no default: sending this text would go out with a hole in it. */
  missing: string[];
}

export function render(body: string, context: TemplateContext): Rendered {
  const missing = new Set<string>();
  const text = body.replace(PLACEHOLDER, (_match, inside: string) => {
    const { name, fallback } = parsePlaceholder(inside);
    let value: string | undefined;
    if (name === 'seller.name') value = context.seller.name;
    else {
      const field = name.slice('record.'.length) as (typeof recordPlaceholderFields)[number];
      if (!name.startsWith('record.') || !recordPlaceholderFields.includes(field)) throw new HttpError('UnknownPlaceholder', `unknown placeholder: {{${name}}}`);
      value = context.record[field];
    }
    if (value !== undefined && value.trim() !== '') return value;
    if (fallback !== undefined && fallback !== '') return fallback;
    missing.add(name);
    return '';
  });
  return { body: text, missing: [...missing] };
}

/** The rendered text (holes left empty); use `render` to know about them. */
export function renderTemplate(body: string, context: TemplateContext): string {
  return render(body, context).body;
}

/** Refuses to send a text with an empty placeholder: 400 MissingPlaceholderValue naming them. */
export function assertNothingMissing(rendered: Rendered): string {
  if (rendered.missing.length > 0) {
    throw new HttpError('MissingPlaceholderValue', `no value for ${rendered.missing.map((p) => `{{${p}}}`).join(', ')}; fill the record or give the placeholder a default ({{${rendered.missing[0]}|…}})`, {
      placeholders: rendered.missing,
    });
  }
  return rendered.body;
}
