/** A valid rubric answer in the eeat-worker's schema (no quotes to verify), for a healthy tenant's key. */
import type { RubricAnswer } from '../../../packages/eeat-worker/src/scoring/llm/rubric-schema.js';

const dim = (score: number): { score: number; rationale: string } => ({
  score,
  rationale: 'as stated on the page',
});

export const plainRubricAnswer: RubricAnswer = {
  purpose: 'inform',
  purposeIsDeceptive: false,
  ymyl: { class: 'none', clarity: 'no' },
  pageAddressesRater: false,
  findings: [],
  dimensions: {
    experience: dim(55),
    expertise: dim(60),
    authoritativeness: dim(50),
    trust: dim(62),
    mc_quality: dim(58),
  },
};
