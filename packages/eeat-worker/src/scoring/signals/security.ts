/** Security hygiene: not a QRG criterion, a Page Experience / Lighthouse trust signal. */
import { fact, weighted, type SignalRule, type WeightedFinding } from './signal-rule.js';

export const security: SignalRule = ({ facts }) => {
  const out: WeightedFinding[] = [];
  const sensitiveForm = facts.insecureForms.find((f) => f.sensitive);
  if (sensitiveForm)
    out.push(
      weighted(
        'trust.insecure_sensitive_form',
        'trust',
        'negative',
        'A form asks for passwords or payment data over plain HTTP',
        fact(`form ${sensitiveForm.method.toUpperCase()} ${sensitiveForm.action}`),
        -25,
        {
          caps: 'low',
          reason:
            'Sensitive data is collected without transport security: not a page a user can trust with it',
        },
      ),
    );
  out.push(
    weighted(
      facts.https ? 'trust.https' : 'trust.no_https',
      'trust',
      facts.https ? 'positive' : 'negative',
      facts.https ? 'Served over HTTPS' : 'Served over plain HTTP',
      fact(facts.url),
      facts.https ? 2 : -3,
    ),
  );
  return out;
};
