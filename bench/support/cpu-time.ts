import { readFile } from 'node:fs/promises';
import { descendants } from './service-processes';

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat's CPU times (100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcessTimes {
  name: string;
  /** user + system time of the process itself, in ticks. */
  own: number;
  /** user + system time of its children that exited and were waited for (PostgreSQL's backends). */
  reaped: number;
}

async function processTimes(pid: number): Promise<ProcessTimes | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // The command name is in parentheses and may contain spaces; the numbered fields follow it.
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (number: number): number => Number(fields[number - 3]);
  return { name, own: field(14) + field(15), reaped: field(16) + field(17) };
}

/** CPU ticks used so far per group: the named processes, and the bench's own PostgreSQL and Kafka. */
async function snapshot(named: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  const ticks = new Map<string, number>();
  const add = (group: string, value: number): void => {
    ticks.set(group, (ticks.get(group) ?? 0) + value);
  };
  for (const [group, pid] of named) add(group, (await processTimes(pid))?.own ?? 0);
  add('load generator (Jest)', (await processTimes(process.pid))?.own ?? 0);
  // The broker and the database server were started by the bench's global setup, in this process.
  for (const pid of await descendants(process.pid)) {
    const times = await processTimes(pid);
    if (times?.name === 'postgres') add('PostgreSQL', times.own + times.reaped);
    if (times?.name === 'java') add('Kafka', times.own);
  }
  return ticks;
}

export interface CpuWindow {
  /** CPU milliseconds each group used since the window opened. */
  stop(): Promise<Map<string, number>>;
}

/**
 * Opens a window over the CPU time of the given processes (name → pid) and of the bench's
 * PostgreSQL server (every backend, live or exited) and Kafka broker, read from /proc.
 */
export async function cpuWindow(named: ReadonlyMap<string, number>): Promise<CpuWindow> {
  const before = await snapshot(named);
  return {
    async stop() {
      const after = await snapshot(named);
      const used = new Map<string, number>();
      for (const [group, ticks] of after) {
        used.set(group, ((ticks - (before.get(group) ?? 0)) * 1000) / TICKS_PER_SECOND);
      }
      return used;
    },
  };
}
