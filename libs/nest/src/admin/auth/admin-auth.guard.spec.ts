import { presentedCredential } from './admin-auth.guard';

describe('presentedCredential', () => {
  it.each([
    [{ authorization: 'Bearer abc.DEF-123' }, { source: 'bearer', value: 'abc.DEF-123' }],
    [{ authorization: 'bearer   abc  ' }, { source: 'bearer', value: 'abc' }],
    [{ 'x-api-key': ' abc ' }, { source: 'x-api-key', value: 'abc' }],
    [{ authorization: 'Bearer abc', 'x-api-key': 'other' }, { source: 'bearer', value: 'abc' }],
    [{ authorization: 'Basic abc', 'x-api-key': 'other' }, { source: 'x-api-key', value: 'other' }],
  ])('reads %p as %p', (headers, expected) => {
    expect(presentedCredential({ headers })).toEqual(expected);
  });

  it.each([[{}], [{ authorization: 'Bearer' }], [{ authorization: 'Bearer a b' }], [{ authorization: 'Basic abc' }], [{ 'x-api-key': '  ' }]])(
    'finds no credential in %p',
    (headers) => {
      expect(presentedCredential({ headers })).toBeUndefined();
    },
  );
});
