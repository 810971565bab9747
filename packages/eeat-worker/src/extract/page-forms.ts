/** Forms that send data without transport security: from a plain-HTTP page, or to a plain-HTTP action. */
import type { PageFacts } from '../audit-model.js';
import { domainOf } from './link-classes.js';
import { safeUrl } from './page-urls.js';
import type { RawForm } from './page-walk.js';

export function insecureFormsOf(forms: readonly RawForm[], base: URL): PageFacts['insecureForms'] {
  return forms
    .map((form) => {
      const action = safeUrl(form.action === '' ? base.href : form.action, base.href);
      const actionHref = action?.href ?? form.action;
      const cause: 'page_http' | 'action_http' | null =
        action?.protocol === 'http:' && base.protocol === 'https:'
          ? 'action_http'
          : base.protocol === 'http:'
            ? action?.protocol === 'http:' && domainOf(action) !== domainOf(base)
              ? 'action_http'
              : 'page_http'
            : null;
      return cause === null
        ? null
        : { action: actionHref, method: form.method, sensitive: form.sensitive, cause };
    })
    .filter((f): f is NonNullable<typeof f> => f !== null);
}
