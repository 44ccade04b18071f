module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'local-cloud',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
