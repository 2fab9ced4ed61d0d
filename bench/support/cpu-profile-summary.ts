import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

export interface SelfTime {
  name: string;
  selfPercent: number;
}

export interface ProfileSummary {
  sampledMs: number;
  /** Share of the samples in which the process was not idle. */
  busyPercent: number;
  /** Self time per function (name, file and line), largest first. */
  functions: SelfTime[];
  /** Self time per package or source area (an npm package, node internals, Convene's own code). */
  areas: SelfTime[];
}

/** Self time of a .cpuprofile, by function and by package, from the sample counts. */
export async function summariseProfile(file: string): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const hits = new Map<number, number>();
  for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);
  // Percentages of busy time: an idle sample is the process waiting for I/O, not work to optimise.
  const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
  const total = profile.samples.filter((sample) => !idle.has(sample)).length || 1;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const count = hits.get(node.id) ?? 0;
    if (count === 0 || idle.has(node.id)) continue;
    byFunction.set(functionKey(node), (byFunction.get(functionKey(node)) ?? 0) + count);
    byArea.set(areaOf(node), (byArea.get(areaOf(node)) ?? 0) + count);
  }
  const ranked = (counts: Map<string, number>): SelfTime[] =>
    [...counts.entries()]
      .map(([name, count]) => ({ name, selfPercent: (100 * count) / total }))
      .sort((a, b) => b.selfPercent - a.selfPercent);
  return {
    sampledMs: (profile.endTime - profile.startTime) / 1000,
    busyPercent: (100 * total) / (profile.samples.length || 1),
    functions: ranked(byFunction),
    areas: ranked(byArea),
  };
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${shortPath(url)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

function areaOf(node: ProfileNode): string {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : '(native)';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /dist\/(apps\/[^/]+|libs\/[^/]+|embedded)/.exec(url);
  return own ? own[1] : shortPath(url);
}

function shortPath(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/dist\//, 'dist/');
}

/** The top rows of a summary as aligned text, for the console and for results.md. */
export function formatSummary(summary: ProfileSummary, rows = 15): string {
  const table = (title: string, entries: SelfTime[]): string =>
    [title, ...entries.slice(0, rows).map((e) => `  ${e.selfPercent.toFixed(1).padStart(5)} %  ${e.name}`)].join('\n');
  return [
    `${summary.sampledMs.toFixed(0)} ms sampled, busy ${summary.busyPercent.toFixed(0)} % (shares below are of busy time)`,
    table('self time by package or area:', summary.areas),
    table('self time by function:', summary.functions),
  ].join('\n');
}
