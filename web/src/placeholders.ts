import { recordPlaceholderFields } from '../../shared/domain/template';
import type { RecordType } from './api';
import type { MessageKey } from './i18n';

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;
type Field = (typeof recordPlaceholderFields)[number];
const isField = (field: string): field is Field => (recordPlaceholderFields as readonly string[]).includes(field);

/**
 * A placeholder as a seller reads it: `record.phone` on a contact is "the contact's phone", `seller.name` is
 * "your name". Without a record type, "the record's phone". Unknown names stay as written, in braces.
 */
export function placeholderWords(name: string, recordType: RecordType | undefined, t: Translate): string {
  if (name === 'seller.name') return t('placeholder.seller.name');
  const field = name.startsWith('record.') ? name.slice('record.'.length) : '';
  if (!isField(field)) return `{{${name}}}`;
  return t('placeholder.record', { owner: t(`owner.${recordType ?? 'record'}`), field: t(`field.${field}`) });
}

/** The placeholders of a draft the backend would refuse (400 UnknownPlaceholder): its own check. */
export { unknownPlaceholders } from '../../shared/domain/template';

export const placeholderFields = recordPlaceholderFields;
