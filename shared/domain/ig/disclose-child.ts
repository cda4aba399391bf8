import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError } from '../errors.ts';
import type { DisclosureAnswer } from './answers.ts';
import { askAboutChild, childCountsOf } from './child.ts';
import type { ChildDeps } from './ig-deps.ts';
import type { ChildEntryItem } from './projection-items.ts';

/**
 * `GET /v1/ig/child/disclosure`: the `child` answer as a report fit to disclose to the child or their representative
 * (UK GDPR Art 15). Entries under a restriction in force at the report's time are withheld, and the report says how
 * many were (never which, or why). Scoped as `child`; the counts scope lists no entries, so has no report (403).
 * Audited as `ig.child.disclosure`, the references recorded only as given, with the number withheld.
 */
export const discloseIgChild = (
  deps: ChildDeps,
  input: { readonly principal: Principal; readonly subjectRefs: readonly string[] },
): Promise<{ readonly answer: DisclosureAnswer } & Audited> =>
  askAboutChild(deps, input, { action: 'ig.child.disclosure', id: 'child-disclosure' }, (records, now) => {
    if (records.scope.kind === 'counts') {
      throw new AuthorisationError('NOT_PERMITTED', 'a subject access report lists entries', [
        'roles allowed: operator, ig-lead, caldicott-guardian, dpo',
      ]);
    }
    const disclosed: ChildEntryItem[] = [];
    for (const { restriction, ...entry } of records.entries) {
      if (restriction === undefined) disclosed.push(entry);
    }
    const withheld = records.entries.length - disclosed.length;
    return {
      answer: {
        ...records.header,
        references: records.references.length,
        at: now.toISOString(),
        entries: disclosed,
        withheld,
        truncated: records.truncated,
        counts: childCountsOf(records.scope, disclosed),
      },
      search: { withheld: String(withheld) },
    };
  });
