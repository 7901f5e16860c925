// Canonical JSON and signature verification for RoutingTableChanged, per docs/protocol.md.
import { createPublicKey, verify } from 'node:crypto';

// Recursively sorts object keys. Array.prototype.sort compares UTF-16 code units, which is the protocol's order.
// (JavaScript enumerates integer-like keys such as "10" before other keys regardless of insertion; our signed
// messages have none, which is why JSON.stringify reproduces the canonical form here.)
export function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
    return sorted;
  }
  return value;
}

// The bytes the signature covers: the parsed message without its top-level "signature", keys sorted, no whitespace.
export function signingInput(message) {
  const { signature, ...unsigned } = message; // eslint-disable-line no-unused-vars
  return Buffer.from(JSON.stringify(sortKeys(unsigned)), 'utf8');
}

// trustedKeys: { keyId: PEM }. Returns 'valid' | 'unknown-key-id' | 'bad-signature' | 'malformed'.
export function verifyRoutingTableChanged(message, trustedKeys) {
  if (message === null || typeof message !== 'object' || typeof message.keyId !== 'string'
      || typeof message.signature !== 'string' || !Number.isSafeInteger(message.version)) {
    return 'malformed';
  }
  // Shape before trust (docs/protocol.md check order): an empty signature is malformed whatever key it names.
  const signature = Buffer.from(message.signature, 'base64');
  if (signature.length !== 64) return 'malformed';
  const pem = trustedKeys[message.keyId];
  if (!pem) return 'unknown-key-id';
  const ok = verify('sha256', signingInput(message), { key: createPublicKey(pem), dsaEncoding: 'ieee-p1363' }, signature);
  return ok ? 'valid' : 'bad-signature';
}
