import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

export const BENCH_OUT_DIR = join(__dirname, '..', 'out');

/** One figure of the suite, with the goal it is held against (if the issue sets one). */
export interface ResultRow {
  /** The item of issue 13 the figure belongs to (1 ingest … 6 profile). */
  item: number;
  measure: string;
  value: string;
  goal?: string;
  /** Whether the figure meets the goal; undefined for figures without one. */
  pass?: boolean;
}

export interface BenchResult {
  bench: string;
  summary: string;
  rows: ResultRow[];
  /** Free text the report prints under the table (profile listings, notes). */
  details?: string;
  /** When the bench finished and the machine's load average (1, 5, 15 min) then; set by recordResult. */
  recordedAt?: string;
  loadAverage?: number[];
}

/** Prints the bench's figures and its one-line summary, and keeps them for bench/results.md. */
export function recordResult(result: BenchResult): void {
  mkdirSync(BENCH_OUT_DIR, { recursive: true });
  const kept: BenchResult = { ...result, recordedAt: new Date().toISOString(), loadAverage: loadavg() };
  writeFileSync(join(BENCH_OUT_DIR, `${result.bench}.json`), `${JSON.stringify(kept, null, 2)}\n`);
  const lines = result.rows.map(
    (row) =>
      `  ${row.measure.padEnd(58)} ${row.value.padStart(14)}  ${row.goal ? `goal ${row.goal} ${verdict(row)}` : ''}`,
  );
  process.stdout.write(`\n${result.bench}\n${lines.join('\n')}\n${result.details ? `${result.details}\n` : ''}`);
  process.stdout.write(`SUMMARY ${result.bench}: ${result.summary}\n`);
}

export function verdict(row: ResultRow): string {
  if (row.pass === undefined) return '';
  return row.pass ? 'pass' : 'MISSED';
}

export function readResults(): BenchResult[] {
  let files: string[];
  try {
    files = readdirSync(BENCH_OUT_DIR).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((file) => JSON.parse(readFileSync(join(BENCH_OUT_DIR, file), 'utf8')) as BenchResult);
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}
