import type { BadRequestException } from '@nestjs/common';
import { CursorSeal, cursorKey, invalidCursor } from './cursor';

describe('CursorSeal', () => {
  const seal = new CursorSeal('k'.repeat(32), 'orders');

  it('opens what it sealed', () => {
    const key = { id: '6f1c1f2e-4a7b-4c1d-9e8f-0a1b2c3d4e5f' };
    expect(seal.open(seal.seal(key))).toEqual(key);
    expect(seal.seal(key)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  });

  it('opens nothing altered, truncated, unsealed or sealed for another purpose or with another key', () => {
    const cursor = seal.seal({ id: 'a' });
    const [body, mac] = cursor.split('.');
    const flipped = mac.slice(0, -1) + (mac.endsWith('A') ? 'B' : 'A');
    const candidates = [
      `${body}.${flipped}`,
      `${Buffer.from('{"id":""}').toString('base64url')}.${mac}`,
      body,
      `${body}.`,
      `.${mac}`,
      `${body}.${mac}.${mac}`,
      `${body}=.${mac}`,
      new CursorSeal('k'.repeat(32), 'history:shop').seal({ id: 'a' }),
      new CursorSeal('j'.repeat(32), 'orders').seal({ id: 'a' }),
      '',
    ];
    for (const candidate of candidates) expect(seal.open(candidate)).toBeUndefined();
  });

  it('derives the same key on every process of a deployment, another one elsewhere, and takes a configured one', () => {
    const names = ['orders', 'state', 'shop'];
    expect(cursorKey(undefined, names)).toBe(cursorKey(undefined, [...names]));
    expect(cursorKey(undefined, names)).not.toBe(cursorKey(undefined, ['orders', 'state', 'billing']));
    expect(cursorKey('s'.repeat(40), names)).toBe('s'.repeat(40));
  });

  it('refuses with 400 naming the cursor', () => {
    const response = (invalidCursor() as BadRequestException).getResponse();
    expect(response).toMatchObject({ errors: [{ field: 'cursor', rule: 'isCursor' }] });
  });
});
