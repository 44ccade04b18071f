module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'reconciler',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
