import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * Hex SHA-256 of bytes, as a router-weights manifest records each file's. Pure JS (no node:crypto, no
 * crypto.subtle), so the browser and Node check weights with the same code.
 */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
