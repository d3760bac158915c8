// bench/peers/lib/wrk.mjs — runs wrk against a loopback service with the
// bodies of a file (wrk-bodies.lua) and parses its report.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function toUs(text) {
  const m = text.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) return NaN;
  return Number(m[1]) * { us: 1, ms: 1000, s: 1e6, m: 6e7 }[m[2]];
}

/** wrk -c CONNECTIONS for SECONDS; → {connections, rps, median_us, p99_us, requests, errors}. */
export function runWrk(url, urlPath, bodiesFile, connections, seconds) {
  const threads = Math.min(connections, 2);
  const out = execFileSync('wrk', ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency',
    '-s', path.join(here, '..', 'wrk-bodies.lua'), url], {
    env: { ...process.env, WRK_BODIES: bodiesFile, WRK_PATH: urlPath }, encoding: 'utf8', timeout: (seconds + 30) * 1000,
  });
  const num = (re) => { const m = out.match(re); return m ? m[1] : null; };
  const non2xx = Number(num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0);
  const sockErr = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  return {
    connections, threads, seconds,
    rps: Number(num(/Requests\/sec:\s+([\d.]+)/)),
    median_us: toUs(num(/\n\s+50%\s+(\S+)/)),
    p99_us: toUs(num(/\n\s+99%\s+(\S+)/)),
    requests: Number(num(/(\d+) requests in/)),
    errors: non2xx + (sockErr ? sockErr.slice(1).reduce((s, x) => s + Number(x), 0) : 0),
  };
}
