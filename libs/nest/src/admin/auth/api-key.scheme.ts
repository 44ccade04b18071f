import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminKeyHash, AdminScope } from '../../config/config';
import { scopesOf, type AdminCredentialScheme, type AdminPrincipal, type PresentedCredential } from './credentials';

/**
 * API keys checked against the SHA-256 hashes of the configuration. The presented key is hashed and
 * compared with every configured hash by `timingSafeEqual`, always all of them, so neither the bytes
 * of a guess nor which entry matched shows in the response time. Hashing first gives equal lengths.
 */
export class ApiKeyScheme implements AdminCredentialScheme {
  readonly name = 'api-key';
  private readonly keys: { digest: Buffer; scope: AdminScope; id: string }[];

  constructor(keys: readonly AdminKeyHash[]) {
    this.keys = keys.map((k) => ({ digest: Buffer.from(k.sha256, 'hex'), scope: k.scope, id: k.sha256.slice(0, 8) }));
  }

  verify(credential: PresentedCredential): AdminPrincipal | undefined {
    const digest = createHash('sha256').update(credential.value, 'utf8').digest();
    const scopes = new Set<AdminScope>();
    let id: string | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(digest, key.digest)) {
        for (const s of scopesOf(key.scope)) scopes.add(s);
        id = key.id;
      }
    }
    return id === undefined ? undefined : { scheme: this.name, subject: `key:${id}`, scopes };
  }
}
