import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { ConflictError } from '../errors.ts';
import { recordAlone, runStep } from '../steps/run-step.ts';
import type { CaseDeps } from './case-deps.ts';
import { readCaseReports } from './case-reports.ts';
import { caseRunner, caseStepFacts, onCase } from './case-step.ts';
import { exportForNcmd, type NcmdExport, ncmdExportVersionList } from './ncmd-export.ts';

export type ExportCdopCaseResult = { readonly export: NcmdExport } & Audited;

/**
 * `GET /v1/cdop/cases/{caseId}/ncmd-export`: a closed case in the national child mortality database's shape, with
 * every report whole (part A included: this export goes to the NCMD alone). Case runners only; audited.
 */
export const exportCdopCase = (
  deps: CaseDeps,
  input: { principal: Principal; caseId: string; version?: string | undefined },
): Promise<ExportCdopCaseResult> =>
  runStep(deps, {
    ...onCase(deps, input, 'cdop.case.export'),
    authorise: caseRunner(deps, input.principal, 'cdop.case.export'),
    decide: async ({ c, s }) => {
      if (c.closure === undefined) {
        throw new ConflictError('WRONG_STATE', 'only a closed case is exported to the NCMD', [
          `status: ${c.status}`,
        ]);
      }
      const { reports } = await readCaseReports(deps, c);
      const exported = exportForNcmd(
        {
          caseId: c.id,
          cdopFootprintId: c.footprintId,
          status: c.status,
          closedOn: c.closure.closedAt.slice(0, 10),
          notification: c.notification,
        },
        reports,
        c.closure.analysis,
        input.version ?? ncmdExportVersionList.at(-1) ?? '2026',
      );
      return { next: undefined, facts: caseStepFacts(c, s), events: [], result: { export: exported } };
    },
    commit: recordAlone(deps.audit),
  });
