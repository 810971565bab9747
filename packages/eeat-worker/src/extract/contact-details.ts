/** Contact details a page shows in its text: e-mail addresses, phone numbers, a street address. */
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}[\s.-]\d{3,4}[\s.-]?\d{3,4}\b/g;
const STREET =
  /\b\d{1,5}\s+[A-Z][a-z]+(\s+[A-Z][a-z]+)?\s+(Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Row|Lane|Ln\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Way|Place|Square|Court)\b/;

const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const DOMAIN_CHAR = /[A-Za-z0-9.-]/;
const LETTER = /[A-Za-z]/;

/**
 * E-mail addresses in `text`: for each `@`, the local part to its left (at most 64 characters) and the domain to
 * its right (at most 253), ending in a dot and two or more letters. Each `@` reads a bounded window, so the scan is
 * linear; a pattern with unbounded runs on both sides of the `@` backtracked quadratically on long runs without a
 * dot.
 */
export function findEmails(text: string, max: number): string[] {
  const found = new Set<string>();
  for (let at = text.indexOf('@'); at >= 0 && found.size < max; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && LOCAL_CHAR.test(text[start - 1]!)) start--;
    if (start === at) continue;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && DOMAIN_CHAR.test(text[end]!)) end++;
    // The longest domain that ends in ".letters": the last dot followed by two or more letters.
    const domain = text.slice(at + 1, end);
    let cut = -1;
    for (let dot = domain.lastIndexOf('.'); dot > 0; dot = domain.lastIndexOf('.', dot - 1)) {
      let letters = 0;
      while (LETTER.test(domain[dot + 1 + letters] ?? '')) letters++;
      if (letters >= 2) {
        cut = dot + 1 + letters;
        break;
      }
    }
    if (cut > 0) found.add(`${text.slice(start, at)}@${domain.slice(0, cut)}`.toLowerCase());
  }
  return [...found];
}

/** Adds the page text's e-mail addresses and phone numbers (nine digits or more) to those its links gave. */
export function addContactsFromText(text: string, emails: Set<string>, phones: Set<string>): void {
  for (const email of findEmails(text, 100)) if (emails.size < 100) emails.add(email);
  for (const match of text.matchAll(PHONE)) {
    if (phones.size >= 100) break;
    if (match[0].replace(/\D/g, '').length >= 9) phones.add(match[0].trim());
  }
}

/** A street address in the text, an `<address>` element or a JSON-LD PostalAddress. */
export function showsAddress(
  text: string,
  hasAddressElement: boolean,
  jsonLdTypes: readonly string[],
): boolean {
  return hasAddressElement || jsonLdTypes.includes('PostalAddress') || STREET.test(text);
}
