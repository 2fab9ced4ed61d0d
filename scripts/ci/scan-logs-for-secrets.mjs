// Searches every log the test suite captured for the secrets its tests handed to Convene (issue #12).
//   node scripts/ci/scan-logs-for-secrets.mjs <log dir>
// The tests record their keys, secrets, passwords and webhook signatures in <dir>/secrets/*.txt
// (test/support/secret-ledger.ts); the logs are <dir>/*.log (Jest's output) and
// <dir>/processes/*.log (each service process the tests started). Exits 1 naming each leak.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const dir = process.argv[2];
if (!dir || !existsSync(dir)) {
  console.error(`scan-logs-for-secrets: no log folder ${dir ?? '(none given)'}`);
  process.exit(2);
}

const filesIn = (folder, suffix) =>
  existsSync(folder)
    ? readdirSync(folder)
        .filter((name) => name.endsWith(suffix))
        .map((name) => join(folder, name))
    : [];

const secrets = new Set(
  filesIn(join(dir, 'secrets'), '.txt').flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0),
  ),
);
const signatures = new Set([...secrets].filter((value) => /^[0-9a-f]{64}$/.test(value)));
const others = [...secrets].filter((value) => !signatures.has(value));
const logs = [...filesIn(dir, '.log'), ...filesIn(join(dir, 'processes'), '.log')];

// Signatures are many (one per signed request): look each 64-digit hex run up in a set rather
// than searching every log for every signature.
const leaks = [];
let bytes = 0;
for (const file of logs) {
  const text = readFileSync(file, 'utf8');
  bytes += text.length;
  for (const hex of text.match(/[0-9a-f]{64}/g) ?? []) {
    if (signatures.has(hex)) leaks.push({ file, what: `a webhook signature (${hex.slice(0, 8)}…)` });
  }
  for (const value of others) {
    if (text.includes(value))
      leaks.push({ file, what: `a secret of ${value.length} characters (${value.slice(0, 3)}…)` });
  }
}

const summary = `${logs.length} logs (${(bytes / 1_048_576).toFixed(1)} MiB), ${others.length} keys and secrets, ${signatures.size} signatures`;
if (leaks.length > 0) {
  for (const leak of leaks.slice(0, 50))
    console.error(`leak: ${relative(process.cwd(), leak.file)} contains ${leak.what}`);
  console.error(`scan-logs-for-secrets: ${leaks.length} leaks in ${summary}`);
  process.exit(1);
}
if (secrets.size === 0) {
  console.error('scan-logs-for-secrets: no secrets were recorded; the tests did not run with CONVENE_TEST_LOG_DIR');
  process.exit(1);
}
console.log(`scan-logs-for-secrets: no secret in ${summary}`);
