import type { Restriction } from '../domain/ig/restriction.ts';
import type { StepRecord } from './step-record.ts';

/** What the IG roles read of the restrictions of entries (shared/domain/ig/restriction.ts). */
export type RestrictionReader = {
  /** Every restriction kept under one of the child's subject references, lifted or not. */
  readChildRestrictions(subjectRef: string): Promise<Restriction[]>;
};

/** The restrictions of an organisation's entries, each change committed with its audit entry. */
export type RestrictionStore = RestrictionReader & {
  getRestriction(organisationId: string, id: string): Promise<Restriction | undefined>;
  /** Every restriction an organisation made, newest first. */
  listRestrictions(organisationId: string): Promise<Restriction[]>;
  /** Writes a new restriction and its copies with the step's record; false if the id was taken. */
  create(restriction: Restriction, record: StepRecord): Promise<boolean>;
  /** Writes the lifted restriction over the one read, if it is still in force as read; false otherwise. */
  lift(next: Restriction, record: StepRecord): Promise<boolean>;
};
