import { createPublicKey, generateKeyPairSync, sign, verify, webcrypto } from 'node:crypto';
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = publicKey.export({ format: 'jwk' });
const data = Buffer.from('x'.repeat(400));
const sig = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
const ko = createPublicKey({ key: jwk, format: 'jwk' });
const ck = await webcrypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
const ops = {
  nodeCb: () => new Promise<boolean>((res) => verify('sha256', data, { key: ko, dsaEncoding: 'ieee-p1363' }, sig, (e, v) => res(e === null && v))),
  subtle: () => webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, ck, sig, data),
  nodeSync: async () => verify('sha256', data, { key: ko, dsaEncoding: 'ieee-p1363' }, sig),
};
for (const round of [1, 2]) for (const [name, op] of Object.entries(ops)) for (const c of [1, 16]) {
  let n = 0; const cpu0 = process.cpuUsage(); const t0 = performance.now(); const end = t0 + 1500;
  await Promise.all(Array.from({ length: c }, async () => { while (performance.now() < end) { if (!(await op())) throw new Error('bad'); n++; } }));
  const s = (performance.now() - t0) / 1000; const cpu = process.cpuUsage(cpu0);
  if (round === 2) console.log(name.padEnd(9), 'c=' + c, Math.round(n / s), '/s', ((cpu.user + cpu.system) / n).toFixed(1), 'µs cpu/op');
}
