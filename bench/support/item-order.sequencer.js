// Runs the benches in the order of the items of issue 13, so that the output reads like results.md.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['ingest', 'ingest-profile', 'end-to-end', 'query-scaling', 'ai-agents', 'messaging-throughput'];
const rank = (path) => {
  const name = path.replace(/^.*\//, '').replace(/\.bench\.ts$/, '');
  return ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length;
};

class ItemOrderSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = ItemOrderSequencer;
