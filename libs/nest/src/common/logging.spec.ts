import { pathOf } from './logging';

describe('pathOf', () => {
  it.each([
    ['/orders', '/orders'],
    ['/admin/status?api_key=secret', '/admin/status'],
    ['/orders?x=1?y=2#frag', '/orders'],
    ['/docs#x', '/docs'],
    ['', ''],
    [undefined, ''],
  ])('logs %p as %p', (target, path) => {
    expect(pathOf(target)).toBe(path);
  });

  it('caps a long path', () => {
    expect(pathOf('/' + 'a'.repeat(5000)).length).toBeLessThanOrEqual(513);
  });
});
