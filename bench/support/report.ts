import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { type BenchResult, readResults, type ResultRow, verdict } from './results';

const ITEMS: Record<number, string> = {
  1: 'Ingest',
  2: 'End to end',
  3: 'Query scaling',
  4: 'Footprint',
  5: 'AI wall time',
  6: 'Profile',
  7: 'Other figures',
};
const RESULTS_FILE = join(__dirname, '..', 'results.md');
const PROFILE_NOTES = join(__dirname, '..', 'profile-notes.md');

/** Writes bench/results.md from the figures the benches of this run kept in bench/out/. */
export function writeResultsMarkdown(startedAt: Date): void {
  const results = readResults();
  const text = [
    '# Convene benchmark results',
    '',
    'Written by `npm run bench` (bench/README.md); do not edit by hand. Every figure below comes from one run',
    'on one machine, whose other load is not controlled: compare the figures of one run with each other (ratios',
    'to the ceiling, 1 M rows against 10 k, concurrent against sequential) rather than absolute times across runs.',
    '',
    machine(startedAt),
    '',
    figuresTable(results),
    '',
    ...whenMeasured(results),
    ...details(results),
    ...(existsSync(PROFILE_NOTES) ? [readFileSync(PROFILE_NOTES, 'utf8').trim(), ''] : []),
  ].join('\n');
  writeFileSync(RESULTS_FILE, text);
  process.stdout.write(`\nbench: wrote ${RESULTS_FILE}\n`);
}

function machine(startedAt: Date): string {
  const cpu = cpus();
  return [
    '| machine | |',
    '| --- | --- |',
    `| cpu | ${cpu[0]?.model.trim() ?? 'unknown'} |`,
    `| cores | ${cpu.length} |`,
    `| memory | ${(totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| node | ${process.version} |`,
    `| kernel | ${uname()} |`,
    `| date | ${startedAt.toISOString()} (${Math.round((Date.now() - startedAt.getTime()) / 60_000)} min run) |`,
    `| load average at the end | ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} |`,
  ].join('\n');
}

/**
 * When each bench's figures were taken and under what load: with BENCH_KEEP_RESULTS=1 a run keeps the
 * figures of benches it did not run, so one report can hold figures of several runs.
 */
function whenMeasured(results: BenchResult[]): string[] {
  const average = (values: number[] | undefined): string =>
    values ? values.map((value) => value.toFixed(2)).join(' ') : 'not recorded';
  return [
    '| bench | figures taken | load average (1, 5, 15 min) then |',
    '| --- | --- | --- |',
    ...results.map(
      (result) =>
        `| ${result.bench} | ${result.recordedAt ?? 'an earlier run (time not recorded)'} | ${average(result.loadAverage)} |`,
    ),
    '',
  ];
}

function uname(): string {
  try {
    return execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function figuresTable(results: BenchResult[]): string {
  const rows = results.flatMap((result) => result.rows).sort((a, b) => a.item - b.item);
  const missing = Object.keys(ITEMS)
    .map(Number)
    .filter((item) => item <= 6 && !rows.some((row) => row.item === item));
  return [
    '| # | measure | figure | goal | verdict |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => line(row)),
    ...missing.map(
      (item) =>
        `| ${item} | ${ITEMS[item]}: not measured in this run (the bench failed; see its output) | — | — | MISSED |`,
    ),
  ].join('\n');
}

function line(row: ResultRow): string {
  return `| ${row.item} | ${ITEMS[row.item]}: ${row.measure} | ${row.value} | ${row.goal ?? ''} | ${verdict(row)} |`;
}

function details(results: BenchResult[]): string[] {
  return results
    .filter((result) => result.details)
    .flatMap((result) => [`## ${result.bench}`, '', '```', result.details ?? '', '```', '']);
}
