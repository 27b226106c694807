/**
 * Template names as people read them. "Welcome\u200b" and "W\u0435lcome" (a Cyrillic е) look like "Welcome": a
 * seller picking from the list could send the wrong text. A name is stored cleaned (NFKC, no invisible or
 * direction-changing characters, single spaces), and names are unique by their skeleton: two names that
 * look alike are the same name (409 Conflict), as Unicode's confusable detection (UTS #39) defines it for the
 * scripts our sellers write in.
 */

/** Zero-width, joiner, BOM, soft hyphen, bidi embeddings/overrides/isolates, and every other default-ignorable code point. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}]/gu;

/** The cleaned name: what is stored and shown. */
export function cleanTemplateName(name: string): string {
  return name.normalize('NFKC').replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
}

/**
 * Letters that look like Latin ones (UTS #39 confusables.txt prototypes, for Cyrillic, Greek and Armenian
 * letters and the digits and symbols that pass for letters), after lower-casing.
 */
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', ɡ: 'g', ӏ: 'l', г: 'r', п: 'n', ь: 'b', з: '3',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ϳ: 'j',
  // Armenian
  օ: 'o', ս: 'u', ո: 'n', հ: 'h', զ: 'q', ց: 'g',
  // Digits and symbols read as letters
  '0': 'o', '1': 'l', '|': 'l', ı: 'i', ł: 'l',
};

/**
 * The name's skeleton: equal skeletons look alike. Case-insensitive (names are unique regardless of case, so
 * `I` counts as `i`, not as the `l` it resembles), look-alike letters as their Latin prototype, `rn` as `m`.
 */
export function templateNameSkeleton(name: string): string {
  return [...cleanTemplateName(name).toLowerCase()].map((c) => LOOK_ALIKES[c] ?? c).join('').replace(/rn/gu, 'm');
}
