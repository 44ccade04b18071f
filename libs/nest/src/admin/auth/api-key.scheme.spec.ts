import { createHash } from 'node:crypto';
import { ApiKeyScheme } from './api-key.scheme';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

describe('ApiKeyScheme', () => {
  const scheme = new ApiKeyScheme([
    { scope: 'read', sha256: sha256('reader-key') },
    { scope: 'operate', sha256: sha256('operator-key') },
  ]);

  it('gives a read key the read scope only', () => {
    const principal = scheme.verify({ source: 'bearer', value: 'reader-key' });
    expect(principal?.scopes).toEqual(new Set(['read']));
  });

  it('gives an operate key both scopes, since operating implies reading', () => {
    expect(scheme.verify({ source: 'x-api-key', value: 'operator-key' })?.scopes).toEqual(new Set(['read', 'operate']));
  });

  it('names the caller by the start of the key hash, never by the key', () => {
    const principal = scheme.verify({ source: 'bearer', value: 'reader-key' });
    expect(principal?.subject).toBe(`key:${sha256('reader-key').slice(0, 8)}`);
    expect(JSON.stringify(principal)).not.toContain('reader-key');
  });

  it('accepts no other key, however close, and none at all when none is configured', () => {
    for (const guess of ['reader-key ', 'Reader-key', 'reader-ke', '', sha256('reader-key')]) {
      expect(scheme.verify({ source: 'bearer', value: guess })).toBeUndefined();
    }
    expect(new ApiKeyScheme([]).verify({ source: 'bearer', value: 'reader-key' })).toBeUndefined();
  });
});
