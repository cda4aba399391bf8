import type { Clock } from '#shared/ports/clock.ts';

export const fixedClock = (iso: string): Clock & { set(iso: string): void } => {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (next) => (now = new Date(next)) };
};
