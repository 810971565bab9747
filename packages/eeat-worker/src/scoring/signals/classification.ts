/** The page's purpose and YMYL topic, reported as findings so the report shows what standard was applied. */
import { fact, weighted, type SignalRule } from './signal-rule.js';

export const classification: SignalRule = ({ facts, purpose, ymyl, isYmyl, quote }) => {
  const topic = () => (facts.h1[0] ? quote(facts.h1[0]) : fact(`title: ${facts.title}`));
  const out = [weighted('purpose.classified', 'purpose', 'positive', `Page purpose: ${purpose}`, topic(), 0)];
  if (isYmyl)
    out.push(
      weighted(
        'ymyl.topic',
        'ymyl',
        'negative',
        `YMYL topic (${ymyl.class}, ${ymyl.clarity}): the stricter standard applies`,
        topic(),
        0,
      ),
    );
  return out;
};
