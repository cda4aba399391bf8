import { type Audited, newAuditEntry } from '../audit/audit-entry.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import { concernsOrganisation } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { ChildAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import type { ChildEntryItem } from './projection-items.ts';
import { answerHeader, groupBy, igScopeOf, publish } from './read-ig.ts';

/** The most entries one `child` answer lists. */
export const maxChildEntries = 2000;

/**
 * `GET /v1/ig/child`: every audit entry that carried one of the child's subject references (its requests, shares,
 * fetches, case steps, and the listings that showed it), oldest first, across the footprints of the references
 * given; under the organisation scope only those concerning the asker's organisation, under counts only counts.
 * Audited as `ig.child`, the references recorded only as given (as audit search records its filter).
 */
export const answerIgChild = async (
  deps: IgDeps,
  input: { readonly principal: Principal; readonly subjectRefs: readonly string[] },
): Promise<{ readonly answer: ChildAnswer } & Audited> => {
  const references = [...new Set(input.subjectRefs)];
  const facts = {
    ...callerFacts(input.principal),
    action: 'ig.child',
    target: { type: 'ig-question', id: 'child' },
    search: { subjectRef: 'given', references: String(references.length) },
  };
  return auditedAction(deps, facts, async () => {
    const scope = igScopeOf(input.principal);
    const [header, pages] = await Promise.all([
      answerHeader(deps.ig, scope),
      Promise.all(references.map((ref) => deps.ig.readChildEntries(ref, maxChildEntries + 1))),
    ]);
    const all: ChildEntryItem[] = pages
      .flat()
      .filter((e) => scope.kind !== 'organisation' || concernsOrganisation(e, scope.organisationId))
      .sort((a, b) => a.index - b.index || (a.subjectRef < b.subjectRef ? -1 : 1));
    const truncated = pages.some((page) => page.length > maxChildEntries) || all.length > maxChildEntries;
    const entries = all.slice(0, maxChildEntries);
    const counts = groupBy(entries, (e) => `${e.action}#${e.outcome}`).map(([, members]) => {
      const first = members[0] as ChildEntryItem;
      return { action: first.action, outcome: first.outcome, count: publish(scope, members.length) };
    });
    const entry = newAuditEntry({ ...facts, outcome: 'allowed' }, deps.clock.now());
    await deps.audit.record(entry);
    return {
      answer: {
        ...header,
        references: references.length,
        ...(scope.kind === 'counts' ? {} : { entries }),
        truncated,
        counts,
      },
      audited: [entry],
    };
  });
};
