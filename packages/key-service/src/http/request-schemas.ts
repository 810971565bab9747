import { z } from 'zod';
import { OUTCOMES } from '../breaker/breaker-transition.js';
import { PROVIDERS } from '../domain/provider.js';
import { ApiError } from './api-error.js';

/** Tenant ids are the app's ids: UUIDs or slugs. The narrow alphabet keeps `|` (the AAD separator) out. */
export const tenantIdSchema = z
  .string({ error: 'tenantId must be a string' })
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    "tenantId must be 1-64 letters, digits, '-' or '_', starting with a letter or digit",
  );

export const providerSchema = z.enum(PROVIDERS, { error: `provider must be one of ${PROVIDERS.join(', ')}` });

/** Provider keys are printable ASCII without spaces; anything else is a paste error or an attack. */
export const apiKeySchema = z
  .string({ error: 'apiKey must be a string' })
  .min(8, 'apiKey must be at least 8 characters')
  .max(1024, 'apiKey must be at most 1024 characters')
  .regex(/^[\x21-\x7e]+$/, 'apiKey must be printable ASCII without spaces or control characters');

export const keyRefSchema = z.strictObject({ tenantId: tenantIdSchema, provider: providerSchema });
/** `status` may leave out `provider`: then it answers for the tenant's current key (the one stored last). */
export const statusRefSchema = z.strictObject({
  tenantId: tenantIdSchema,
  provider: providerSchema.optional(),
});

export const reportSchema = z.strictObject({
  tenantId: tenantIdSchema,
  provider: providerSchema,
  keyVersion: z
    .int({ error: 'keyVersion must be a positive integer' })
    .positive('keyVersion must be a positive integer')
    .max(2_147_483_647, 'keyVersion is too large'),
  outcome: z.enum(OUTCOMES, { error: `outcome must be one of ${OUTCOMES.join(', ')}` }),
  retryAfterSeconds: z
    .number({ error: 'retryAfterSeconds must be a number of seconds' })
    .min(0, 'retryAfterSeconds must not be negative')
    .max(86_400, 'retryAfterSeconds must be at most 86400')
    .optional(),
});

export const storeKeySchema = z.strictObject({ apiKey: apiKeySchema });
export const keyPathSchema = z.strictObject({ tenantId: tenantIdSchema, provider: providerSchema });
export const tenantPathSchema = z.strictObject({ tenantId: tenantIdSchema });
export const resumeSchema = z.strictObject({ provider: providerSchema.optional() });

/** Validates with zod and turns issues into a 400 that names each field, never its value. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, where: 'body' | 'path'): T {
  if (where === 'body' && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new ApiError(400, 'INVALID_REQUEST', 'request body must be a JSON object');
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys')
        return `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`;
      const field = issue.path.map(String).join('.');
      if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined)
        return `${field} is required`;
      return issue.message.startsWith(field) || field === '' ? issue.message : `${field}: ${issue.message}`;
    })
    .join('; ');
  throw new ApiError(400, 'INVALID_REQUEST', message);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
