import { expectedGeneration, parsePrecondition, policyEtag } from './policy-etag';

describe('policy ETags and preconditions', () => {
  it('tags a policy with its generation, strongly', () => {
    expect(policyEtag(7)).toBe('"g7"');
  });

  it.each([
    [undefined, undefined, { type: 'none' }],
    ['', undefined, { type: 'none' }],
    ['"g3"', undefined, { type: 'generations', generations: [3] }],
    ['"g3", "g4"', undefined, { type: 'generations', generations: [3, 4] }],
    ['W/"g3"', undefined, { type: 'generations', generations: [] }],
    ['"abc"', undefined, { type: 'generations', generations: [] }],
    ['*', undefined, { type: 'any' }],
    [undefined, '*', { type: 'absent' }],
    ['"g2"', '*', { type: 'generations', generations: [2] }],
  ])('reads If-Match %p and If-None-Match %p', (ifMatch, ifNoneMatch, expected) => {
    expect(parsePrecondition(ifMatch, ifNoneMatch)).toEqual(expected);
  });

  it('writes over the stored generation only when the precondition names it', () => {
    expect(expectedGeneration({ type: 'generations', generations: [3] }, 3)).toBe(3);
    expect(expectedGeneration({ type: 'generations', generations: [3] }, 4)).toBe(false);
    expect(expectedGeneration({ type: 'generations', generations: [0] }, undefined)).toBe(false);
  });

  it('creates with If-None-Match: * only when nothing is stored, and If-Match: * only over something', () => {
    expect(expectedGeneration({ type: 'absent' }, undefined)).toBeUndefined();
    expect(expectedGeneration({ type: 'absent' }, 1)).toBe(false);
    expect(expectedGeneration({ type: 'any' }, 5)).toBe(5);
    expect(expectedGeneration({ type: 'any' }, undefined)).toBe(false);
  });

  it('lets a write without precondition go over what is stored, or create', () => {
    expect(expectedGeneration({ type: 'none' }, 2)).toBe(2);
    expect(expectedGeneration({ type: 'none' }, undefined)).toBeUndefined();
  });
});
