import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, NotFoundError } from '../errors.ts';
import { recordAlone, runStep } from '../steps/run-step.ts';
import { parseStrictJson } from '../strict-json.ts';
import type { CasePack } from './case.ts';
import type { CaseDeps } from './case-deps.ts';
import { assertStandingAllows, caseStepFacts, type FoundCase, onCase } from './case-step.ts';
import { type PanelPack, panelMayFetch, panelPackHash, panelPackSchema } from './panel-pack.ts';

/** The largest pack read back to answer a fetch: it goes back inline, and a Lambda answer is at most 6 MB. */
const maxPackBytes = 5 * 1024 * 1024;

export type FetchCasePackResult = { readonly pack: PanelPack } & Audited;

/**
 * The pack's bytes parsed at this boundary: UTF-8 JSON with no repeated member, the pack schema exactly, the
 * hash the case records, and a content that hashes to it. Anything else is not the pack the exchange assembled and
 * is never served: a plain error (500), since no caller caused it.
 */
const parseStoredPack = (bytes: Uint8Array, recorded: CasePack): PanelPack => {
  let value: unknown;
  try {
    value = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new Error('the stored panel pack is not UTF-8 JSON');
  }
  const parsed = panelPackSchema.safeParse(value);
  if (!parsed.success) throw new Error('the stored panel pack does not meet the pack schema');
  const { packHash, ...content } = parsed.data;
  if (packHash !== recorded.packHash || panelPackHash(content) !== packHash) {
    throw new Error('the stored panel pack is not the one the case records');
  }
  return parsed.data;
};

/** Only the panel of the case's CDOP reads its pack, and only while the agreement is in force. */
const authorisePanel =
  (principal: Principal) =>
  ({ c, s }: FoundCase): void => {
    const roles = principal.user?.roles ?? [];
    const cdop = { footprintId: c.footprintId, secretariatOrganisationId: c.cdopOrganisationId };
    if (!panelMayFetch({ organisationId: principal.organisationId, roles }, cdop)) {
      throw new AuthorisationError('NOT_PERMITTED', "only the panel of the case's CDOP may read its pack", [
        `panel of ${c.cdopOrganisationId}: CDOP manager or coordinator`,
      ]);
    }
    assertStandingAllows('cdop.pack.fetch', s);
  };

/**
 * `GET /v1/cdop/cases/{caseId}/pack`: the latest panel pack, for the panel of the case's CDOP only; every fetch is
 * recorded with the pack's hash, so who read which pack can be shown.
 */
export const fetchCasePack = (
  deps: CaseDeps,
  input: { principal: Principal; caseId: string },
): Promise<FetchCasePackResult> =>
  runStep(deps, {
    ...onCase(deps, input, 'cdop.pack.fetch'),
    authorise: authorisePanel(input.principal),
    decide: async ({ c, s }) => {
      if (c.pack === undefined) throw new NotFoundError('NOT_FOUND', 'no panel pack has been assembled yet');
      const bytes = await deps.payloads.read(c.pack.objectKey, maxPackBytes);
      if (bytes === undefined) throw new NotFoundError('NOT_FOUND', 'the panel pack is gone');
      return {
        next: undefined,
        facts: {
          ...caseStepFacts(c, s),
          target: { type: 'cdop-panel-pack', id: `${c.id}/${c.pack.packHash}` },
        },
        events: [],
        result: { pack: parseStoredPack(bytes, c.pack) },
      };
    },
    commit: recordAlone(deps.audit),
  });
