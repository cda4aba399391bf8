import { createPrivateKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NodeSignatureVerifier } from '#shared/adapters/crypto/node-signature-verifier.ts';
import { generateSigningKey, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { answeringOneCall, countedInFlight } from '#shared/http/calls-in-flight.ts';

describe('NodeSignatureVerifier, on the threadpool and inline', async () => {
  const cases = await Promise.all(
    (['ES256', 'EdDSA'] as const).map(async (alg) => {
      const key = await generateSigningKey(alg);
      const input = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0';
      const signature = sign(alg === 'ES256' ? 'sha256' : null, Buffer.from(input), {
        key: createPrivateKey({ key: key, format: 'jwk' }),
        dsaEncoding: 'ieee-p1363',
      });
      return { alg, input, signature, registered: { jwk: publicJwkOf(key), alg, cacheKey: `c#${key.kid}` } };
    }),
  );

  for (const inline of [false, true]) {
    const verifier = new NodeSignatureVerifier({ verifyInline: () => inline });
    for (const { alg, input, signature, registered } of cases) {
      it(`${alg} ${inline ? 'inline' : 'on the threadpool'}: accepts the signature and refuses any other`, async () => {
        await expect(verifier.verify(input, signature, registered)).resolves.toBe(true);
        const flipped = Uint8Array.from(signature);
        flipped[10] = (flipped[10] ?? 0) ^ 1;
        await expect(verifier.verify(input, flipped, registered)).resolves.toBe(false);
        await expect(verifier.verify(`${input}x`, signature, registered)).resolves.toBe(false);
        await expect(verifier.verify(input, signature.subarray(1), registered)).resolves.toBe(false);
      });
    }
  }

  it('counts calls in flight: one alone, two side by side', async () => {
    const seen: boolean[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = countedInFlight(async (wait: boolean, _context: unknown) => {
      seen.push(answeringOneCall());
      if (wait) await gate;
    });
    await handler(false, {});
    const first = handler(true, {});
    const second = handler(false, {});
    release();
    await Promise.all([first, second]);
    expect(seen).toEqual([true, true, false]);
    expect(answeringOneCall()).toBe(true);
  });
});
