/**
 * Looks for any form of the given secrets in text: the secret itself, its base64/hex encodings, and
 * a 12-character slice of it (so a partly logged key is caught too). Returns what was found where.
 */
export function findPlaintext(
  secrets: readonly string[],
  haystacks: Readonly<Record<string, string>>,
): string[] {
  const findings: string[] = [];
  for (const secret of secrets) {
    const needles = new Set([
      secret,
      Buffer.from(secret).toString('base64'),
      Buffer.from(secret).toString('hex'),
      secret.slice(-12),
      secret.slice(Math.floor(secret.length / 2), Math.floor(secret.length / 2) + 12),
    ]);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of needles) {
        if (text.includes(needle))
          findings.push(`${where} contains a form of a stored key (${needle.length} chars)`);
      }
    }
  }
  return findings;
}
