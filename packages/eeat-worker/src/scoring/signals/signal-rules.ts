/**
 * The heuristic layer's signal families, in the order their findings are reported. `collectSignals` runs each on
 * the page's context and concatenates what they find; a new family is a new rule in this list.
 */
import { classification } from './classification.js';
import { creator, siteOwner } from './creator.js';
import { raterInstructions } from './deception.js';
import { experience } from './experience.js';
import { expertise } from './expertise.js';
import { exaggeratedTitle, harmfulClaims } from './harm.js';
import { contentEffort, copiedContent } from './main-content.js';
import { monetisation } from './monetisation.js';
import { dated, publisherIdentity } from './publisher.js';
import { security } from './security.js';
import type { SignalRule } from './signal-rule.js';

export const SIGNAL_RULES: readonly SignalRule[] = [
  classification,
  raterInstructions,
  harmfulClaims,
  exaggeratedTitle,
  creator,
  siteOwner,
  monetisation,
  security,
  copiedContent,
  contentEffort,
  experience,
  expertise,
  publisherIdentity,
  dated,
];
