import * as z from 'zod';
import { caseOpenedEvent } from '#events/case-opened.v1.ts';
import { deathNotificationForwardedEvent } from '#events/death-notification-forwarded.v1.ts';
import type { Audited } from '../audit/audit-entry.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { ulid } from '../ids.ts';
import type { IdempotentCall } from '../requests/idempotency.ts';
import { idempotently } from '../requests/idempotency.ts';
import { commitStep } from '../steps/run-step.ts';
import { cdopCaseSchema, openCase, responsibleCdopSchema } from './case.ts';
import { caseAgreementOf } from './case-agreement.ts';
import type { CaseDeps } from './case-deps.ts';
import { actingUser, caseStepFacts } from './case-step.ts';
import { agencySuggestionSchema, caseReviewPurpose, suggestAgencies } from './fan-out.ts';

/** What opening gives: the case opened with the agencies to ask, or the CDOP to notify instead. */
export const openCdopCaseResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('opened'),
    case: cdopCaseSchema,
    suggestions: z.array(agencySuggestionSchema),
  }),
  z.object({
    kind: z.literal('notify-instead'),
    notifyInstead: responsibleCdopSchema,
    reason: z.string(),
  }),
]);
export type OpenCdopCaseResult = z.infer<typeof openCdopCaseResultSchema> & Audited;

/**
 * `POST /v1/cdop/cases`: opens a case on notification of a death, or, for a child resident in another CDOP's
 * area, passes the notification on to that CDOP as an event without its subject reference (notify-instead).
 */
export const openCdopCase = (
  deps: CaseDeps,
  input: { principal: Principal; notification: unknown; call?: IdempotentCall | undefined },
): Promise<OpenCdopCaseResult> => {
  const idempotent = { records: deps.cases, call: input.call, result: openCdopCaseResultSchema };
  return idempotently(idempotent, async () => {
    const { principal } = input;
    const now = deps.clock.now();
    const facts = {
      ...callerFacts(principal),
      action: 'cdop.case.open',
      target: { type: 'organisation', id: principal.organisationId },
      purpose: caseReviewPurpose,
    };
    const { registry, result } = await auditedAction(deps, facts, async () => {
      const by = actingUser(principal);
      const registry = await deps.registry.loadRegistry();
      const cases = await deps.cases.listCases(principal.organisationId);
      const id = ulid(now.getTime());
      return {
        registry,
        result: openCase({ id, notification: input.notification }, { ...registry, cases }, by, now),
      };
    });

    if (result.outcome === 'notify-instead') {
      const responsible = result.notifyInstead;
      return commitStep(deps, {
        by: principal,
        action: 'cdop.notification.forward',
        type: 'cdop-case',
        plan: {
          next: undefined,
          facts: {
            purpose: caseReviewPurpose,
            // The child's pseudonym, as on every case entry: passing the notification on touched their data, so
            // the child's records (`GET /v1/ig/child`) list it.
            subjectRef: result.notification.subjectRef,
            target: { type: 'organisation', id: responsible.cdopOrganisationId },
            parties: [principal.organisationId, responsible.cdopOrganisationId],
          },
          events: [
            deathNotificationForwardedEvent(principal.organisationId, responsible, result.notification, now),
          ],
          result: { kind: 'notify-instead', notifyInstead: responsible, reason: result.reason },
        },
        commit: (record) => deps.cases.record(record),
        idempotent,
        now,
      });
    }

    const opened = result.case;
    const standing = caseAgreementOf(opened, await deps.agreements.listAgreements(), now);
    return commitStep(deps, {
      by: principal,
      action: 'cdop.case.open',
      type: 'cdop-case',
      plan: {
        next: opened,
        facts: caseStepFacts(opened, standing),
        events: [caseOpenedEvent(opened, now)],
        result: { kind: 'opened', case: opened, suggestions: suggestAgencies(opened, registry, now) },
      },
      commit: (record, plan) => deps.cases.create(plan.next, record),
      idempotent,
      now,
    });
  });
};
