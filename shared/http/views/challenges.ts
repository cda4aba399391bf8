import * as z from 'zod';
import type { Challenge } from '../../domain/challenges/challenge.ts';
import {
  challengeOutcomes,
  challengeReasonCodesSchema,
  challengeReasonsSchema,
  challengeSchema,
  outcomeReasonCodesSchema,
} from '../../domain/challenges/challenge.ts';
import type { ChallengeList } from '../../domain/challenges/list-challenges.ts';
import type { DataRequest } from '../../domain/requests/data-request.ts';
import { decideRequestBody, requestView, requestViewSchema } from './requests.ts';

/**
 * What the challenge operations take and answer (shared/domain/challenges/): a challenge step answers the request's
 * next state (which lists its challenges) and the challenge as the step left it.
 */

export const challengeAnswer = z.object({ request: requestViewSchema, challenge: challengeSchema });

export const challengeAnswerOf = (
  result: { readonly request: DataRequest; readonly challenge: Challenge },
  now: Date,
): z.input<typeof challengeAnswer> => ({
  request: requestView(result.request, now),
  challenge: result.challenge,
});

export const challengeListAnswer = z.object({ requestId: z.string(), challenges: z.array(challengeSchema) });

export const challengeListAnswerOf = (result: ChallengeList): z.input<typeof challengeListAnswer> => ({
  requestId: result.requestId,
  challenges: result.challenges,
});

const reasonsOf = (what: string) =>
  challengeReasonsSchema.describe(`${what}, in words: kept in the record, only its SHA-256 in the audit log`);

/** A challenge raised, or escalated a stage: its reasons in words and its coded grounds. */
export const challengeBody = z.strictObject({
  reasons: reasonsOf('why the answer is disputed'),
  reasonCodes: challengeReasonCodesSchema.describe('the coded grounds, which the audit log records'),
});

export const outcomeBody = z.strictObject({
  outcome: z.enum(challengeOutcomes),
  reasons: reasonsOf("the stage's outcome"),
  reasonCodes: outcomeReasonCodesSchema.describe(
    'the coded grounds of the outcome, which the audit log records',
  ),
  decision: decideRequestBody
    .optional()
    .describe('for `overturned` only: the new decision, taken as the decide step takes one'),
});
