// Benchmarks run through Jest only to reuse its TypeScript transform and the #libs mapping:
//   NODE_OPTIONS=--experimental-vm-modules ./scripts/node24.sh npx jest -c bench/jest.config.js
const root = require('../jest.config.js');
const integration = root.projects.find((project) => project.displayName === 'integration');

module.exports = {
  ...integration,
  rootDir: require('node:path').join(__dirname, '..'),
  displayName: 'bench',
  testMatch: ['<rootDir>/bench/**/*.bench.ts'],
  testTimeout: 600_000,
};
