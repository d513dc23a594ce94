// RFC 7636 S256: a random verifier and its challenge.
import crypto from 'node:crypto';

export function pkcePair() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function randomState() {
  return crypto.randomBytes(12).toString('base64url');
}
