import * as z from 'zod';
import type { Challenge } from '#shared/domain/challenges/challenge.ts';
import { challengeGrounds, currentStage } from '#shared/domain/challenges/challenge.ts';
import { userRoles } from '#shared/domain/registry/registry.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { requestParties, requestPartiesShape } from './request-parties.ts';

/**
 * The fields every challenge event starts with: the request's, which challenge and its current stage, what it
 * disputes and the responder's role that answers the stage. Sent to both parties, as every request event is.
 */
export const challengePartiesShape = {
  ...requestPartiesShape,
  challenge: z.number().int().min(1),
  stage: z.number().int().min(1),
  ground: z.enum(challengeGrounds),
  role: z.enum(userRoles),
};

/** Those fields of a challenge at its current stage, and who hears of it: the requester and the responder. */
export const challengeParties = (request: DataRequest, challenge: Challenge) => {
  const { detail, recipients } = requestParties(request);
  const stage = currentStage(challenge);
  return {
    detail: {
      ...detail,
      challenge: challenge.n,
      stage: stage.stage,
      ground: challenge.ground,
      role: stage.role,
    },
    stage,
    recipients,
  };
};
