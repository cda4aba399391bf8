import { describe, expect, it } from 'vitest';
import { auditedOn } from '#shared/domain/audit/audited-action.ts';
import { AuthorisationError } from '#shared/domain/errors.ts';
import { principal } from '../support/fault-scenarios.ts';
import { fixedClock } from '../support/fixed-clock.ts';
import { InMemoryAuditLog } from '../support/in-memory-registry-store.ts';

// What a refusal on one stored thing says of it: its facts only when the thing concerns the caller's organisation.
const thing = {
  id: '01JQ7ZQ3W4X5Y6Z7A8B9C0D1E2',
  subjectRef: 'sr1.north-west-bcu.secret',
  parties: ['lb-brent', 'lb-harrow'],
};

const refuse = async (user: string) => {
  const audit = new InMemoryAuditLog();
  const by = principal(user);
  await expect(
    auditedOn(
      { audit, clock: fixedClock('2026-12-01T09:00:00Z') },
      {
        principal: by,
        action: 'request.view',
        target: { type: 'request', id: thing.id },
        load: async () => thing,
        factsOf: (t) => ({
          target: { type: 'request', id: t.id },
          purpose: 'SAFEGUARDING_REFERRAL_MASH',
          subjectRef: t.subjectRef,
          parties: t.parties,
        }),
      },
      async () => {
        throw new AuthorisationError('NOT_PERMITTED', 'not yours');
      },
    ),
  ).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
  expect(audit.entries).toHaveLength(1);
  return { entry: audit.entries[0], requestHash: by.requestHash };
};

describe('auditedOn', () => {
  it("records a third organisation's refusal with only what it sent", async () => {
    const { entry, requestHash } = await refuse('lb-barnet.practitioner');
    expect(entry).toEqual({
      id: expect.any(String),
      time: '2026-12-01T09:00:00.000Z',
      actor: expect.objectContaining({ organisationId: 'lb-barnet' }),
      requestHash,
      action: 'request.view',
      target: { type: 'request', id: thing.id },
      outcome: 'refused',
      reasonCodes: ['NOT_PERMITTED'],
    });
  });

  it("records a party's refusal with the thing's facts", async () => {
    const { entry } = await refuse('lb-harrow.practitioner');
    expect(entry).toMatchObject({
      subjectRef: thing.subjectRef,
      purpose: 'SAFEGUARDING_REFERRAL_MASH',
      parties: thing.parties,
      outcome: 'refused',
    });
  });
});
