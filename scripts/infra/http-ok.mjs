// Exit 0 when every given URL answers HTTP 2xx within a short timeout, else 1.
// A readiness probe for up.sh that needs nothing but node (no curl/wget).
//
// Usage: node scripts/infra/http-ok.mjs URL [URL...]
const urls = process.argv.slice(2);
if (urls.length === 0) {
  console.error('usage: http-ok.mjs URL [URL...]');
  process.exit(2);
}
for (const url of urls) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer(); // drain so the socket closes promptly
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    console.error(`${url}: ${err?.cause?.code ?? err?.message ?? err}`);
    process.exit(1);
  }
}
