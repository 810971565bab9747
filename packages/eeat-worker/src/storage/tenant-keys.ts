/**
 * Shapes of the keys every stored row and node is scoped by. They are validated before any query is built, so
 * a malformed id can never widen a query beyond its tenant.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidKeyError } from './storage-errors.js';

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export const TenantIdSchema = z
  .string()
  .regex(KEY_PATTERN, 'must be 1-128 letters, digits, or _ . : - (starting with a letter or digit)');
export const AuditIdSchema = TenantIdSchema;

export function assertKey(field: string, value: string): string {
  const parsed = TenantIdSchema.safeParse(value);
  if (!parsed.success) throw new InvalidKeyError(field, parsed.error.issues[0]?.message ?? 'invalid');
  return parsed.data;
}

/** Stable id of a page: the same URL always maps to the same id, so re-audits land on the same row key. */
export function pageIdOf(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 32);
}

/** The site a URL belongs to: its host without a leading `www.`, lower-cased (port kept when not default). */
export function siteKeyOf(url: string): string {
  const parsed = new URL(url);
  return parsed.host.toLowerCase().replace(/^www\./, '');
}
