// The bench suite (`npm run bench`): Jest only runs the scripts, for its TypeScript transform and
// the #libs mapping; the figures are printed and written to bench/results.md, nothing is asserted
// beyond "the bench ran". One private Kafka broker and PostgreSQL server serve the whole run.
//   NODE_OPTIONS=--experimental-vm-modules ./scripts/node24.sh npx jest -c bench/jest.config.js [bench/<name>.bench.ts]
const { join } = require('node:path');
const root = require('../jest.config.js');
const integration = root.projects.find((project) => project.displayName === 'integration');

module.exports = {
  ...integration,
  rootDir: join(__dirname, '..'),
  displayName: 'bench',
  testMatch: ['<rootDir>/bench/**/*.bench.ts'],
  testTimeout: 15 * 60_000,
  globalSetup: '<rootDir>/bench/global-setup.ts',
  globalTeardown: '<rootDir>/bench/global-teardown.ts',
  // Items in the order, so that the printed figures read like bench/results.md.
  testSequencer: '<rootDir>/bench/support/item-order.sequencer.js',
  maxWorkers: 1,
};
