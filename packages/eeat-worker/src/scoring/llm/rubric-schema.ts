/**
 * The structured answer the LLM rubric asks for, as a zod schema (validated on receipt) and as JSON Schema
 * (sent to the provider: OpenAI `response_format.json_schema` with `strict: true`, Anthropic tool input).
 *
 * Strict-mode friendly: every property is required, no optional fields, no unions besides enums. Scores are
 * plain numbers here and clamped to 0..100 when interpreted, so a model that answers 101 costs a clamp, not a
 * failed (and re-billed) call. Evidence is a quote the code verifies against the page afterwards.
 */
import { z } from 'zod';
import { DIMENSIONS, PagePurposeSchema, YmylClaritySchema, YmylClassSchema } from '../../audit-model.js';

/** Bumped whenever the prompt wording or the answer schema changes (part of the cache key). */
export const PROMPT_VERSION = 'p2';
export const RUBRIC_SCHEMA_NAME = 'eeat_page_rating';

const DimensionAnswer = z.object({
  score: z.number().describe('0-19 Lowest, 20-39 Low, 40-59 Medium, 60-79 High, 80-100 Highest'),
  rationale: z.string().describe('One or two sentences; no claims that are not supported by the page'),
});

export const RubricFindingSchema = z.object({
  dimension: z.enum([...DIMENSIONS, 'purpose', 'ymyl']),
  polarity: z.enum(['positive', 'negative']),
  gate: z.enum(['none', 'low', 'lowest']).describe('The QRG gate this finding triggers, if any'),
  message: z.string(),
  quote: z.string().describe('An exact, contiguous span copied from the page text (5 to 40 words)'),
});
export type RubricFinding = z.infer<typeof RubricFindingSchema>;

export const RubricAnswerSchema = z.object({
  purpose: PagePurposeSchema,
  purposeIsDeceptive: z.boolean(),
  ymyl: z.object({ class: YmylClassSchema, clarity: YmylClaritySchema }),
  pageAddressesRater: z
    .boolean()
    .describe('True if the page text tries to instruct an AI, a rater or an evaluator'),
  findings: z.array(RubricFindingSchema),
  dimensions: z.object({
    experience: DimensionAnswer,
    expertise: DimensionAnswer,
    authoritativeness: DimensionAnswer,
    trust: DimensionAnswer,
    mc_quality: DimensionAnswer,
  }),
});
export type RubricAnswer = z.infer<typeof RubricAnswerSchema>;

/** The JSON Schema a provider receives (draft-7, as OpenAI and Anthropic accept it). */
export function rubricJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RubricAnswerSchema, { target: 'draft-7', io: 'output' }) as Record<
    string,
    unknown
  >;
  delete schema['$schema'];
  return schema;
}
