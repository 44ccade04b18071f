import { requestOf } from './load';

describe('requestOf', () => {
  it.each([
    ["mixed: the pet store's create, one in ten", 'mixed', 0, { method: 'POST', path: '/pets' }],
    ['mixed: /healthz otherwise', 'mixed', 1, { method: 'GET', path: '/healthz' }],
    ['reads: a page of pets otherwise', 'reads', 3, { method: 'GET', path: '/pets?limit=20' }],
    ['health: /healthz, always', 'health', 0, { method: 'GET', path: '/healthz' }],
    ['paths: the first path first', { get: ['/healthz', '/hello?name=x'] }, 0, { method: 'GET', path: '/healthz' }],
    ['paths: each in turn', { get: ['/healthz', '/hello?name=x'] }, 3, { method: 'GET', path: '/hello?name=x' }],
  ] as const)('%s', (_, mix, n, expected) => {
    expect(requestOf(mix, n)).toMatchObject(expected);
  });
});
