// The browser suite: the admin page in a real headless Chromium (Debian's, driven by playwright-core).
module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.spec.ts'],
  // A browser start is slower than a request.
  testTimeout: 60_000,
};
