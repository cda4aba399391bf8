import * as z from 'zod';
import { panelPackReadyEvent } from '#events/panel-pack-ready.v1.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { ConflictError } from '../errors.ts';
import type { IdempotentCall } from '../requests/idempotency.ts';
import { runStep } from '../steps/run-step.ts';
import { type CasePack, type CdopCase, casePackSchema, recordPack } from './case.ts';
import type { CaseDeps } from './case-deps.ts';
import { readCaseReports } from './case-reports.ts';
import { caseRunner, caseStepFacts, onCase } from './case-step.ts';
import { assemblePanelPack, type PanelPack } from './panel-pack.ts';
import { agencyStatuses } from './tracking.ts';

export const assembleCasePackResultSchema = z.object({ kind: z.literal('assembled'), pack: casePackSchema });
export type AssembleCasePackResult = z.infer<typeof assembleCasePackResultSchema> & Audited;

/** Where a pack's bytes are kept: named by its content, so a pack stored by a step that did not commit is harmless. */
export const packObjectKey = (caseId: string, packHash: string) =>
  `shares/cdop/${caseId}/pack-${packHash}.json`;

/**
 * `POST /v1/cdop/cases/{caseId}/pack`: assembles the panel pack from the reports received (identifying parts left
 * out, identifying values repeated in the text redacted), stores it, and announces PanelPackReady. For the case's
 * own CDOP managers and coordinators; 409 WRONG_STATE for a closed case or until a report has been received.
 */
export const assembleCasePack = (
  deps: CaseDeps,
  input: { principal: Principal; caseId: string; call?: IdempotentCall | undefined },
): Promise<AssembleCasePackResult> =>
  runStep(deps, {
    ...onCase(deps, input, 'cdop.pack.assemble'),
    authorise: caseRunner(deps, input.principal, 'cdop.pack.assemble'),
    decide: async ({ c, s }, by, now) => {
      if (c.status !== 'open') {
        throw new ConflictError('WRONG_STATE', 'the panel pack of a closed case stays as it was', [
          `status: ${c.status}`,
        ]);
      }
      const { requests, reports, unreadable } = await readCaseReports(deps, c);
      const statuses = agencyStatuses(c, requests, now);
      const agenciesWith = (...status: string[]) =>
        statuses.filter((t) => status.includes(t.status)).map((t) => t.organisationId);
      const [first] = [...reports].sort((a, b) => a.agencyId.localeCompare(b.agencyId));
      if (first === undefined) {
        throw new ConflictError('WRONG_STATE', 'no report has been received on this case yet', [
          `agencies asked: ${c.agencies.length}`,
          ...unreadable.map((u) => `${u.organisationId}: ${u.problems.join('; ')}`),
        ]);
      }
      const pack = assemblePanelPack(
        {
          caseId: c.id,
          cdopFootprintId: c.footprintId,
          boroughOfResidence: c.notification.boroughOfResidence,
          dateOfBirth: first.partA.child.dateOfBirth,
          dateOfDeath: c.notification.dateOfDeath,
          expected: c.notification.expected,
          placeCategory: c.notification.placeCategory ?? 'unknown',
          diedInFootprint: c.notification.place.kind === 'in-footprint',
          agenciesRequested: c.agencies.map((a) => a.organisationId),
          agenciesDeclined: agenciesWith('declined'),
          agenciesEnded: agenciesWith('withdrawn', 'ended'),
        },
        reports,
      );
      const casePack: CasePack = {
        packHash: pack.packHash,
        objectKey: packObjectKey(c.id, pack.packHash),
        assembledAt: now.toISOString(),
        assembledBy: by.userId,
        reports: pack.reports.length,
        agenciesOutstanding: [...pack.agenciesOutstanding],
        agenciesDeclined: [...pack.agenciesDeclined],
        agenciesEnded: [...pack.agenciesEnded],
        unreadable,
      };
      const next: { case: CdopCase; pack: PanelPack } = { case: recordPack(c, casePack, now), pack };
      return {
        next,
        facts: caseStepFacts(c, s),
        events: [panelPackReadyEvent(c, pack, now)],
        result: { kind: 'assembled', pack: casePack },
      };
    },
    // The bytes go first: the case names the pack only once they are there.
    commit: async (record, { next, result }, { c }) => {
      await deps.payloads.put(
        result.pack.objectKey,
        new TextEncoder().encode(JSON.stringify(next.pack)),
        'application/json',
      );
      return deps.cases.update(c, next.case, record);
    },
    idempotent: { records: deps.cases, call: input.call, result: assembleCasePackResultSchema },
    attempts: 3,
  });
