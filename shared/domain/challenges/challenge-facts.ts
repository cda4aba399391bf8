import { type AuditFacts, textSha256 } from '../audit/audit-entry.ts';
import type { RequestDecision } from '../requests/data-request.ts';
import { decisionFacts } from '../requests/request-facts.ts';
import { type Challenge, currentStage } from './challenge.ts';

/**
 * What a challenge step's entry says of it: the challenge, its current stage, what it disputes, the role that
 * answers the stage, the coded reasons and any outcome; its words only as their SHA-256 (`challengeReasons`). An
 * overturn's entry also holds its new decision, as the decide step's entry does (`decisionFacts`).
 */
export const challengeFacts = (
  challenge: Challenge,
  decision?: RequestDecision,
): Pick<AuditFacts, 'challenge' | 'decision' | 'textSha256'> => {
  const stage = currentStage(challenge);
  const outcome = stage.outcome;
  const decided = decision === undefined ? undefined : decisionFacts(decision);
  return {
    challenge: {
      n: challenge.n,
      stage: stage.stage,
      ground: challenge.ground,
      role: stage.role,
      reasonCodes: [...(outcome?.reasonCodes ?? stage.reasonCodes)],
      ...(outcome === undefined ? {} : { outcome: outcome.outcome }),
    },
    ...(decided === undefined ? {} : { decision: decided.decision }),
    textSha256: {
      ...decided?.textSha256,
      challengeReasons: textSha256(outcome?.reasons ?? stage.reasons),
    },
  };
};
