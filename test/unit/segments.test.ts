import { describe, expect, it } from 'vitest';
import { segmentInfo } from '../../shared/domain/segments';

describe('SMS segments (GSM 03.38)', () => {
  it('160 GSM-7 characters are 1 segment and 161 are 2', () => {
    expect(segmentInfo('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(segmentInfo('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    expect(segmentInfo('a'.repeat(306)).segments).toBe(2);
    expect(segmentInfo('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension characters as two septets and never splits them', () => {
    expect(segmentInfo('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(segmentInfo('€'.repeat(81))).toMatchObject({ units: 162, segments: 2 });
    // 152 plain + one escape pair: the pair moves to the second part.
    expect(segmentInfo('a'.repeat(152) + '{' + 'b'.repeat(10)).segments).toBe(2);
  });

  it('uses UCS-2 for an emoji and counts its two code units', () => {
    expect(segmentInfo('Hej 👋')).toEqual({ encoding: 'UCS-2', segments: 1, units: 6 });
    expect(segmentInfo('😀'.repeat(35))).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(segmentInfo('😀'.repeat(36))).toMatchObject({ units: 72, segments: 2 });
    expect(segmentInfo('x' + '😀'.repeat(33) + 'y')).toMatchObject({ units: 68 });
  });

  it('keeps Scandinavian letters in GSM-7 but not ones outside the alphabet', () => {
    expect(segmentInfo('Hej Åsa, ÄÖ är här').encoding).toBe('GSM-7');
    expect(segmentInfo('Straße ł').encoding).toBe('UCS-2');
  });
});
