// Preloaded with `--import` into a service process by bench/ingest-profile.bench.ts. The first
// SIGWINCH starts the V8 CPU profiler, the second writes the profile to BENCH_CPU_PROFILE: the same
// .cpuprofile `--cpu-prof` writes, but covering only the load window, and written without waiting
// for an exit that Nest's shutdown hooks turn into a re-raised, profile-losing SIGTERM. SIGWINCH
// because Nest's shutdown hooks take SIGUSR2 too, and its default action (ignore) is harmless.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

const target = process.env.BENCH_CPU_PROFILE;
if (target) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  let running = false;
  process.on('SIGWINCH', async () => {
    if (!running) {
      running = true;
      await session.post('Profiler.start');
      return;
    }
    running = false;
    const { profile } = await session.post('Profiler.stop');
    await writeFile(target, JSON.stringify(profile));
  });
}
