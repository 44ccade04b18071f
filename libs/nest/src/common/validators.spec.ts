import { isPlainText } from './validators';

describe('isPlainText', () => {
  it.each(['Rex', 'Rëx the 2nd', '日本語', 'emoji 🐶 ok', 'tab-free, quotes "and" <angles>', 'Arabic: ريكس', 'a\u00a0b'])('takes %p', (text) => {
    expect(isPlainText(text)).toBe(true);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['ESC', '\u001b[2J'],
    ['CR', 'a\rb'],
    ['LF', 'a\nb'],
    ['TAB', 'a\tb'],
    ['DEL', 'a\u007f'],
    ['a C1 control', 'a\u009b'],
    ['RLO', 'a\u202eb'],
    ['LRE', 'a\u202ab'],
    ['an isolate', 'a\u2067b'],
    ['a right-to-left mark', 'a\u200fb'],
    ['the Arabic letter mark', 'a\u061cb'],
    ['the line separator', 'a\u2028b'],
    ['the paragraph separator', 'a\u2029b'],
    ['a lone high surrogate', 'a\ud83d'],
    ['a lone low surrogate', '\ude00a'],
  ])('refuses %s', (_what, text) => {
    expect(isPlainText(text)).toBe(false);
  });
});
