module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'state',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
