import { type Audited, newAuditEntry } from '../audit/audit-entry.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import { type AuditSearchScope, concernsOrganisation } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { AnswerHeader, ChildAnswer, ChildCount, ChildEntry } from './answers.ts';
import type { ChildDeps } from './ig-deps.ts';
import type { ChildEntryItem } from './projection-items.ts';
import { answerHeader, groupBy, igScopeOf, publish } from './read-ig.ts';
import { restrictionsInForce } from './restriction.ts';

/** The most entries one `child` answer lists. */
export const maxChildEntries = 2000;

/** What the `child` answer and the subject access report both read: the child's entries the scope sees. */
export type ChildRecords = {
  readonly scope: AuditSearchScope;
  readonly header: AnswerHeader;
  readonly references: readonly string[];
  /** Oldest first, at most `maxChildEntries`, each marked with the restriction in force on it now, if any. */
  readonly entries: readonly ChildEntry[];
  readonly truncated: boolean;
};

/**
 * Every entry that carried one of the child's references, those the scope sees (under the organisation scope only
 * those concerning the asker's organisation), oldest first, each with the restriction in force on it at `now`.
 */
export const readChildRecords = async (
  deps: ChildDeps,
  principal: Principal,
  references: readonly string[],
  /** The time the restrictions are judged at: the answer's. */
  now: Date,
): Promise<ChildRecords> => {
  const scope = igScopeOf(principal);
  const [header, pages, restrictions] = await Promise.all([
    answerHeader(deps.ig, scope),
    Promise.all(references.map((ref) => deps.ig.readChildEntries(ref, maxChildEntries + 1))),
    scope.kind === 'counts'
      ? Promise.resolve([])
      : Promise.all(references.map((ref) => deps.restrictions.readChildRestrictions(ref))),
  ]);
  const inForce = restrictionsInForce(restrictions.flat(), now);
  const all: ChildEntryItem[] = pages
    .flat()
    .filter((e) => scope.kind !== 'organisation' || concernsOrganisation(e, scope.organisationId))
    .sort((a, b) => a.index - b.index || (a.subjectRef < b.subjectRef ? -1 : 1));
  const truncated = pages.some((page) => page.length > maxChildEntries) || all.length > maxChildEntries;
  const entries = all.slice(0, maxChildEntries).map((e): ChildEntry => {
    const r = inForce.get(e.index);
    return r === undefined
      ? e
      : {
          ...e,
          restriction: {
            id: r.id,
            organisationId: r.organisationId,
            reasonCode: r.reasonCode,
            until: r.until,
          },
        };
  });
  return { scope, header, references, entries, truncated };
};

/** The entries by action and outcome, as the scope publishes counts. */
export const childCountsOf = (scope: AuditSearchScope, entries: readonly ChildEntryItem[]): ChildCount[] =>
  groupBy(entries, (e) => `${e.action}#${e.outcome}`).map(([, members]) => {
    const first = members[0] as ChildEntryItem;
    return { action: first.action, outcome: first.outcome, count: publish(scope, members.length) };
  });

/**
 * A question about one child (`child`, and the subject access report): the child's records read for the asker,
 * made into the answer, and audited as `action` with the references only as given (as audit search records its
 * filter) and whatever else non-personal the answer says of itself (`search`). A refusal is audited the same way.
 */
export const askAboutChild = async <A>(
  deps: ChildDeps,
  input: { readonly principal: Principal; readonly subjectRefs: readonly string[] },
  question: { readonly action: string; readonly id: string },
  answerOf: (
    records: ChildRecords,
    now: Date,
  ) => { readonly answer: A; readonly search?: Readonly<Record<string, string>> },
): Promise<{ readonly answer: A } & Audited> => {
  const references = [...new Set(input.subjectRefs)];
  const facts = {
    ...callerFacts(input.principal),
    action: question.action,
    target: { type: 'ig-question', id: question.id },
    search: { subjectRef: 'given', references: String(references.length) },
  };
  return auditedAction(deps, facts, async () => {
    const now = deps.clock.now();
    const records = await readChildRecords(deps, input.principal, references, now);
    const { answer, search } = answerOf(records, now);
    const entry = newAuditEntry(
      { ...facts, search: { ...facts.search, ...search }, outcome: 'allowed' },
      now,
    );
    await deps.audit.record(entry);
    return { answer, audited: [entry] };
  });
};

/**
 * `GET /v1/ig/child`: every audit entry that carried one of the child's subject references (its requests, shares,
 * fetches, case steps, and the listings that showed it), oldest first, across the footprints of the references
 * given; under the organisation scope only those concerning the asker's organisation, under counts only counts.
 * Entries restricted from subject access reports are listed, marked with their restriction (docs/IG.md).
 * Audited as `ig.child`.
 */
export const answerIgChild = (
  deps: ChildDeps,
  input: { readonly principal: Principal; readonly subjectRefs: readonly string[] },
): Promise<{ readonly answer: ChildAnswer } & Audited> =>
  askAboutChild(
    deps,
    input,
    { action: 'ig.child', id: 'child' },
    ({ scope, header, references, entries, truncated }) => ({
      answer: {
        ...header,
        references: references.length,
        ...(scope.kind === 'counts' ? {} : { entries }),
        truncated,
        counts: childCountsOf(scope, entries),
      },
    }),
  );
