/** A dependency the exchange cannot serve without; `check` resolves when it answers and rejects otherwise. */
export type HealthProbe = {
  readonly name: string;
  check(signal: AbortSignal): Promise<void>;
};
