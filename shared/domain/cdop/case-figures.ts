import { type Audited, newAuditEntry } from '../audit/audit-entry.ts';
import { auditedAction, callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { membersOf, type Registry } from '../registry/registry.ts';
import { assertCaseRunner } from './case.ts';
import type { CaseDeps } from './case-deps.ts';
import { actingUser } from './case-step.ts';
import {
  type AnnualFigures,
  annualFigures,
  type FiguresCase,
  forPublication,
  learningThemesForNeighbour,
  type PublishedCell,
  type SharedTheme,
} from './figures.ts';

/** A CDOP's figures for a year: small numbers suppressed for publication, exact for internal use. */
export type CdopFiguresResult = (
  | { readonly for: 'publication'; readonly figures: AnnualFigures<PublishedCell> }
  | { readonly for: 'internal'; readonly figures: AnnualFigures }
) & { readonly learningThemes: readonly SharedTheme[] } & Audited;

/** The councils (boroughs of residence) of a CDOP's footprints, so a borough with no deaths still shows. */
const boroughsOf = (registry: Registry, cdopOrganisationId: string, now: Date): string[] =>
  registry.footprints
    .filter((f) => f.kind === 'cdop' && membersOf(f, now).includes(cdopOrganisationId))
    .flatMap((f) => membersOf(f, now))
    .filter((id) => registry.organisations.find((o) => o.id === id)?.kind === 'local-authority');

/**
 * `GET /v1/cdop/figures?year=…&for=publication|internal`: the CDOP's figures for a financial year and its quarters
 * by borough of residence, small numbers suppressed unless asked for internal use, and the de-identified learning
 * themes a neighbouring CDOP may be given. The CDOP's managers and coordinators; audited.
 */
export const cdopFigures = async (
  deps: CaseDeps,
  input: { principal: Principal; year: number; for: 'publication' | 'internal' },
): Promise<CdopFiguresResult> => {
  const { principal } = input;
  const now = deps.clock.now();
  const facts = {
    ...callerFacts(principal),
    action: 'cdop.figures',
    target: { type: 'organisation', id: principal.organisationId },
    search: { year: String(input.year), for: input.for },
  };
  return auditedAction(deps, facts, async () => {
    const registry = await deps.registry.loadRegistry();
    assertCaseRunner(registry, actingUser(principal), now);
    const cases = await deps.cases.listCases(principal.organisationId);
    const figuresCases: FiguresCase[] = cases.map((c) => ({
      caseId: c.id,
      boroughOfResidence: c.notification.boroughOfResidence,
      notifiedOn: c.createdAt.slice(0, 10),
      reviewedOn: c.closure?.analysis.panelDate,
      closedOn: c.closure?.closedAt.slice(0, 10),
      categoryOfDeath: c.closure?.analysis.categoryOfDeath,
      modifiableFactors: c.closure?.analysis.modifiableFactors.identified,
    }));
    const exact = annualFigures(
      figuresCases,
      input.year,
      boroughsOf(registry, principal.organisationId, now),
    );
    const learningThemes = learningThemesForNeighbour(
      cases.map((c) => ({
        closedOn: c.closure?.closedAt.slice(0, 10),
        learningThemes: c.closure?.analysis.learningThemes ?? [],
      })),
    );
    const entry = newAuditEntry({ ...facts, outcome: 'allowed' }, now);
    await deps.audit.record(entry);
    const audited = [entry];
    return input.for === 'publication'
      ? { for: 'publication', figures: forPublication(exact), learningThemes, audited }
      : { for: 'internal', figures: exact, learningThemes, audited };
  });
};
