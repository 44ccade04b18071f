import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { invalidRequest } from './validation';

const MAC_BYTES = 16;
const MAC_CHARS = Math.ceil((MAC_BYTES * 4) / 3); // base64url, unpadded
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Seals the paging cursors the API hands out (`<base64url JSON>.<HMAC-SHA-256, 16 bytes>`) and opens
 * them again, so that a cursor is one the API issued, or a 400: a forged one never reaches DynamoDB,
 * which answers a key it cannot take (an empty id, a sort key over 1,024 bytes) with a server error.
 * Callers still check the shape of what they open, since the key may be public (see {@link cursorKey}).
 */
export class CursorSeal {
  private readonly key: Buffer;

  /** `purpose` keeps the cursors of one list from being accepted by another. */
  constructor(secret: string, purpose: string) {
    this.key = createHmac('sha256', secret).update(`lambdaflex-cursor:${purpose}`).digest();
  }

  seal(payload: unknown): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The payload of a cursor this seal made, or undefined for anything else. */
  open(cursor: string): unknown {
    const dot = cursor.lastIndexOf('.');
    const body = cursor.slice(0, dot);
    const mac = cursor.slice(dot + 1);
    if (dot < 1 || mac.length !== MAC_CHARS || !BASE64URL.test(body) || !BASE64URL.test(mac)) return undefined;
    if (!timingSafeEqual(Buffer.from(mac), Buffer.from(this.mac(body)))) return undefined;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES).toString('base64url');
  }
}

/**
 * The key cursors are sealed with: `secret` (`CURSOR_SECRET`) when configured (then nobody without it can
 * make a cursor), else one derived from `names`, the names of the deployment (its tables and service),
 * which every process of a deployment shares, so a cursor from one Lambda container or task still works
 * on another. That default is not a secret; it catches cursors that were altered or made up by chance,
 * and the strict checks of each list keep a deliberately forged one harmless.
 */
export function cursorKey(secret: string | undefined, names: readonly string[]): string {
  if (secret) return secret;
  return createHash('sha256').update(['lambdaflex', ...names].join('\n')).digest('hex');
}

/** The 400 for a cursor the API did not issue (or not for this list). */
export function invalidCursor() {
  return invalidRequest([{ field: 'cursor', rule: 'isCursor', message: 'cursor must be the nextCursor of an earlier page' }]);
}
