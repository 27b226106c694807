import { describe, expect, it } from 'vitest';
import { placeholderWords, unknownPlaceholders } from '../../web/src/placeholders';
import { makeI18n } from '../../web/src/i18n';

describe('placeholders as a seller reads them (the console)', () => {
  const en = makeI18n('en').t;
  const sv = makeI18n('sv').t;

  it('names a record field by its record type, in the page language', () => {
    expect(placeholderWords('record.phone', 'contact', en)).toBe('the contact’s phone');
    expect(placeholderWords('record.accountId', 'opportunity', en)).toBe('the opportunity’s account id');
    expect(placeholderWords('record.mobile', 'lead', sv)).toBe('leadets mobilnummer');
    expect(placeholderWords('seller.name', 'contact', sv)).toBe('ditt namn');
  });

  it('says "the record’s" when the type is not known, and leaves an unknown name as written', () => {
    expect(placeholderWords('record.name', undefined, en)).toBe('the record’s name');
    expect(placeholderWords('record.nickname', 'contact', en)).toBe('{{record.nickname}}');
    expect(placeholderWords('account.name', 'contact', en)).toBe('{{account.name}}');
  });

  it('flags exactly what the backend would refuse, once each, defaults and spacing allowed', () => {
    expect(unknownPlaceholders('Hi {{ record.name | there }}, {{seller.name}} {{record.nickname}} {{record.nickname}} {{crm.owner}}')).toEqual(['record.nickname', 'crm.owner']);
    expect(unknownPlaceholders('Hi {{record.name|there}}, call {{record.phone}}')).toEqual([]);
  });
});
