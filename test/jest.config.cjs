module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/integration/**/*.spec.ts'],
};
