import type { ChallengeOutcomeInput, ChallengeView, RequestDecisionInput } from '#client/pbx-client.ts';
import {
  challengeOutcomes,
  challengeReasonCodes,
  outcomeReasonCodes,
} from '#shared/domain/challenges/challenge.ts';
import { decideRequestBody } from '#shared/http/views/requests.ts';
import { CliError, usageError } from './cli-error.ts';
import type { CommandInput, OptionValues } from './command.ts';
import { connect, reach, successBody } from './connect.ts';
import { problemsOf, readJsonInput } from './json-input.ts';
import { codesOf, idempotencyKeyOf, requestIdOf } from './request.ts';

/**
 * `pbx challenge raise|list|escalate|outcome` (docs/REQUESTS.md, "Challenge and escalation"): the requester
 * challenges a decline, a partial approval or an overdue answer and escalates it; the responder's escalation role
 * records each stage's outcome.
 */

const challengeNumberOf = (operands: readonly string[], verb: string): number => {
  const n = operands[1];
  if (n === undefined)
    throw usageError(`missing N: the challenge to ${verb} (pbx challenge list ID shows them)`);
  if (!/^[1-9][0-9]{0,2}$/.test(n)) throw usageError(`"${n}" is not a challenge number (1, 2, …)`);
  return Number(n);
};

const reasonsOf = (values: OptionValues, what: string): string => {
  const reasons = values.reasons?.trim();
  if (reasons === undefined || reasons === '') throw usageError(`missing --reasons TEXT: ${what}`);
  return reasons;
};

const textOf = (values: OptionValues, what: string, known: readonly string[]) => ({
  reasons: reasonsOf(values, what),
  reasonCodes: codesOf('reason-codes', values['reason-codes'], known, {
    one: 'a reason code',
    many: 'reason codes',
  }),
});

/** A challenge as lines: each stage, who answers it by when, and its outcome. */
export const describeChallenge = (challenge: ChallengeView): string[] => [
  `challenge ${challenge.n}: ${challenge.ground}${challenge.decidedAt === undefined ? '' : ` (decision of ${challenge.decidedAt})`}`,
  ...challenge.stages.flatMap((stage) => [
    `  stage ${stage.stage}: ${stage.role}, due ${stage.dueAt}; opened by ${stage.openedBy} at ${stage.openedAt}`,
    `    reasons: ${stage.reasons} [${stage.reasonCodes.join(', ')}]`,
    stage.outcome === undefined
      ? `    awaiting its outcome${stage.overdueNotifiedAt === undefined ? '' : ' (overdue)'}`
      : `    ${stage.outcome.outcome} by ${stage.outcome.recordedBy} at ${stage.outcome.recordedAt}: ${stage.outcome.reasons} [${stage.outcome.reasonCodes.join(', ')}]`,
  ]),
];

const print = (input: CommandInput, challenge: ChallengeView) => {
  if (input.values.json) return;
  input.io.stdout(`${describeChallenge(challenge).join('\n')}\n`);
};

export const runChallengeRaise = async (input: CommandInput): Promise<void> => {
  const { values, operands, io } = input;
  const id = requestIdOf(operands, 'challenge');
  const text = textOf(values, 'why the answer is disputed', challengeReasonCodes);
  const key = idempotencyKeyOf(values);
  const { client, url } = await connect(values, io);
  const { challenge } = successBody(await reach(url, () => client.raiseChallenge(id, text, key)), values, io);
  print(input, challenge);
};

export const runChallengeList = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = requestIdOf(operands, 'list the challenges of');
  const { client, url } = await connect(values, io);
  const { challenges } = successBody(await reach(url, () => client.listChallenges(id)), values, io);
  if (values.json) return;
  io.stdout(
    challenges.length === 0
      ? `request ${id} has no challenge\n`
      : `${challenges.flatMap(describeChallenge).join('\n')}\n`,
  );
};

export const runChallengeEscalate = async (input: CommandInput): Promise<void> => {
  const { values, operands, io } = input;
  const id = requestIdOf(operands, 'escalate');
  const n = challengeNumberOf(operands, 'escalate');
  const text = textOf(values, 'why the challenge goes a stage further', challengeReasonCodes);
  const key = idempotencyKeyOf(values);
  const { client, url } = await connect(values, io);
  const { challenge } = successBody(
    await reach(url, () => client.escalateChallenge(id, n, text, key)),
    values,
    io,
  );
  print(input, challenge);
};

/** The new decision of an overturn, from its JSON file, as `POST /v1/requests/{id}/decision` takes it. */
const newDecisionOf = async (input: CommandInput, file: string): Promise<RequestDecisionInput> => {
  const parsed = decideRequestBody.safeParse(await readJsonInput(input.io, file));
  if (!parsed.success) {
    throw new CliError('LOCAL_INPUT', `--file is not a decision`, problemsOf(parsed.error));
  }
  const { reasonCodes, withheld, ...decision } = parsed.data;
  return {
    ...decision,
    ...(reasonCodes === undefined ? {} : { reasonCodes }),
    ...(withheld === undefined
      ? {}
      : {
          withheld: {
            ...(withheld.dataCategories === undefined ? {} : { dataCategories: withheld.dataCategories }),
            ...(withheld.description === undefined ? {} : { description: withheld.description }),
          },
        }),
  };
};

export const runChallengeOutcome = async (input: CommandInput): Promise<void> => {
  const { values, operands, io } = input;
  const id = requestIdOf(operands, 'record the outcome of');
  const n = challengeNumberOf(operands, 'record the outcome of');
  const outcome = values.outcome;
  if (outcome === undefined || !(challengeOutcomes as readonly string[]).includes(outcome)) {
    throw usageError(`--outcome must be one of ${challengeOutcomes.join(', ')}`);
  }
  if ((outcome === 'overturned') !== (values.file !== undefined)) {
    throw usageError(
      '--file DECISION.json (the new decision) goes with --outcome overturned, and only with it',
    );
  }
  const body: ChallengeOutcomeInput = {
    outcome: outcome as ChallengeOutcomeInput['outcome'],
    ...textOf(values, "the stage's outcome", outcomeReasonCodes),
    ...(values.file === undefined ? {} : { decision: await newDecisionOf(input, values.file) }),
  };
  const key = idempotencyKeyOf(values);
  const { client, url } = await connect(values, io);
  const { challenge, request } = successBody(
    await reach(url, () => client.recordChallengeOutcome(id, n, body, key)),
    values,
    io,
  );
  print(input, challenge);
  if (!values.json && outcome === 'overturned') io.stdout(`request ${request.id} is now ${request.status}\n`);
};
