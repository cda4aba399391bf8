import * as z from 'zod';
import type { CdopCase } from '#shared/domain/cdop/case.ts';

/**
 * The fields every CDOP case event starts with: which case, and the CDOP that holds it. Shared by the event modules
 * so that every event names them the same way (a field added here is added to every event's schema).
 */
export const cdopCasePartiesShape = {
  caseId: z.string().min(1),
  cdopOrganisationId: z.string().min(1),
};

/** Those fields of a case. */
export const cdopCaseParties = (c: Pick<CdopCase, 'id' | 'cdopOrganisationId'>) => ({
  caseId: c.id,
  cdopOrganisationId: c.cdopOrganisationId,
});
