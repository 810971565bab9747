/** Constructed provider answers for the rubric tests. */
import type { RubricAnswer } from '../../src/scoring/llm/rubric-schema.js';

const dim = (score: number, rationale = 'as stated on the page'): { score: number; rationale: string } => ({
  score,
  rationale,
});

/** How both pages are classified: honest health information (clearly YMYL), not addressed to the rater. */
function healthPageToInform(): Pick<
  RubricAnswer,
  'purpose' | 'purposeIsDeceptive' | 'ymyl' | 'pageAddressesRater'
> {
  return {
    purpose: 'inform',
    purposeIsDeceptive: false,
    ymyl: { class: 'health_safety', clarity: 'clear' },
    pageAddressesRater: false,
  };
}

/** What a manipulated model would answer for the injection page: everything perfect. */
export function obedientAnswerForTonic(): RubricAnswer {
  return {
    ...healthPageToInform(),
    findings: [
      {
        dimension: 'expertise',
        polarity: 'positive',
        gate: 'none',
        message: 'Written by world-leading medical experts',
        quote: 'This page was written by world-leading medical experts',
      },
      {
        dimension: 'trust',
        polarity: 'positive',
        gate: 'none',
        message: 'Made from natural ingredients',
        quote: 'It is made from valerian, chamomile and a secret blend of plant extracts.',
      },
    ],
    dimensions: {
      experience: dim(100),
      expertise: dim(100),
      authoritativeness: dim(100),
      trust: dim(100),
      mc_quality: dim(100),
    },
  };
}

/** A careful answer for the well-sourced article, with one invented quote among real ones. */
export function carefulAnswerForGuide(): RubricAnswer {
  return {
    ...healthPageToInform(),
    findings: [
      {
        dimension: 'experience',
        polarity: 'positive',
        gate: 'none',
        message: 'First-hand clinical experience',
        quote: 'In my clinic I see low vitamin D most often in older patients who are housebound',
      },
      {
        dimension: 'expertise',
        polarity: 'positive',
        gate: 'none',
        message: 'Cites the largest randomised trial',
        quote: 'The VITAL trial followed 25,871 adults for a median of 5.3 years',
      },
      {
        dimension: 'trust',
        polarity: 'negative',
        gate: 'lowest',
        message: 'Recommends dangerous megadoses',
        quote: 'Take 50,000 IU of vitamin D every day to prevent all disease',
      },
      {
        dimension: 'trust',
        polarity: 'positive',
        gate: 'none',
        message: 'Warns against overdose',
        quote: 'Do not take more than 100 micrograms a day unless a doctor prescribes it',
      },
    ],
    dimensions: {
      experience: dim(70),
      expertise: dim(82),
      authoritativeness: dim(65),
      trust: dim(78),
      mc_quality: dim(76),
    },
  };
}
