import type { ValidationError } from '@nestjs/common';
import { fieldErrors } from './validation';

describe('fieldErrors', () => {
  it('flattens nested errors into dotted field paths, one entry per broken rule', () => {
    const errors: ValidationError[] = [
      { property: 'name', constraints: { isString: 'name must be a string', isLength: 'name is too long' }, children: [] },
      {
        property: 'owner',
        children: [{ property: 'email', constraints: { isEmail: 'email must be an email' }, children: [] }],
      },
    ];
    expect(fieldErrors(errors)).toEqual([
      { field: 'name', rule: 'isString', message: 'name must be a string' },
      { field: 'name', rule: 'isLength', message: 'name is too long' },
      { field: 'owner.email', rule: 'isEmail', message: 'email must be an email' },
    ]);
  });
});
