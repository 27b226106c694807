import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PHONE_METADATA_PATH, phoneMetadataModule } from '../../scripts/phone-metadata';
import { PHONE_METADATA_JSON } from '../../shared/domain/phone-metadata';
import { normalizePhone } from '../../shared/domain/phone';

describe('phone metadata', () => {
  it('is the installed libphonenumber-js "min" metadata, every country (npm run openapi regenerates it)', () => {
    expect(readFileSync(PHONE_METADATA_PATH, 'utf8')).toBe(phoneMetadataModule());
    const installed = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('libphonenumber-js/metadata.min.json'), 'utf8')) as { countries: Record<string, unknown> };
    expect(Object.keys((JSON.parse(PHONE_METADATA_JSON) as typeof installed).countries).sort()).toEqual(Object.keys(installed.countries).sort());
    expect(Object.keys(installed.countries).length).toBeGreaterThan(240);
  });

  it('normalizes numbers of many regions with it', () => {
    expect(normalizePhone('070-123 45 67', 'SE')).toBe('+46701234567');
    expect(normalizePhone('(425) 555-0100', 'US')).toBe('+14255550100');
    expect(normalizePhone('0151 23456789', 'DE')).toBe('+4915123456789');
    expect(normalizePhone('090-1234-5678', 'JP')).toBe('+819012345678');
    expect(normalizePhone('not a number', 'US')).toBeUndefined();
  });
});
