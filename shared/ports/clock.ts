/** Time comes from a clock the caller passes in, so tests can hold it still or move it. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };
