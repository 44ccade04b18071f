/**
 * The policy's entity tag is its generation, `"g<generation>"`: strong, because `If-Match` compares
 * strongly (RFC 9110 §13.1.1), and every write bumps the generation, so equal tags mean equal items.
 */
export function policyEtag(generation: number): string {
  return `"g${generation}"`;
}

/** What a write's `If-Match` / `If-None-Match` headers ask for. */
export type Precondition =
  /** Neither header: the write is refused (428), so nobody overwrites an edit unseen. */
  | { type: 'none' }
  /** `If-Match: *`: whatever policy is stored (412 when there is none). */
  | { type: 'any' }
  /** `If-None-Match: *`: only when no policy is stored yet, to create the first one. */
  | { type: 'absent' }
  /** `If-Match: "g3", …`: one of these generations; an empty list (only foreign tags) never matches. */
  | { type: 'generations'; generations: number[] };

const OUR_TAG = /^"g(\d{1,15})"$/;

/** Reads the preconditions of a write. `If-Match` wins when both are sent, as RFC 9110 §13.2.2 orders. */
export function parsePrecondition(ifMatch: string | undefined, ifNoneMatch: string | undefined): Precondition {
  if (ifMatch !== undefined && ifMatch.trim() !== '') {
    const tags = ifMatch.split(',').map((t) => t.trim());
    if (tags.includes('*')) return { type: 'any' };
    const generations = tags.flatMap((t) => {
      const m = OUR_TAG.exec(t);
      return m ? [Number(m[1])] : [];
    });
    return { type: 'generations', generations };
  }
  if (ifNoneMatch?.trim() === '*') return { type: 'absent' };
  return { type: 'none' };
}

/**
 * The generation to write over, given what is stored, or `false` when the precondition fails.
 * `undefined` means "only if nothing is stored", as `StateStore.writePolicy` reads it.
 */
export function expectedGeneration(precondition: Precondition, stored: number | undefined): number | undefined | false {
  switch (precondition.type) {
    case 'none':
      // Only the override routes get here (a policy PUT without a precondition is a 428 before):
      // they change the mode of whatever is stored, or of the default policy when nothing is.
      return stored;
    case 'any':
      return stored ?? false;
    case 'absent':
      return stored === undefined ? undefined : false;
    case 'generations':
      return stored !== undefined && precondition.generations.includes(stored) ? stored : false;
  }
}
