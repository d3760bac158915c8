// bench/peers/lib/cache.mjs — where the peers are installed (outside the
// repository) and how to load them: $REDLINE_PEERS_CACHE, default
// $HOME/.cache/redline-peers (scripts/bench-peers.sh runs `npm ci`-like
// installs there from bench/peers/package.json).
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';

export const CACHE = process.env.REDLINE_PEERS_CACHE || path.join(os.homedir(), '.cache', 'redline-peers');

/** require() resolving from the cache folder's node_modules. */
export const requirePeer = createRequire(path.join(CACHE, 'package.json'));

/** The installed version of a package in the cache. */
export function peerVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(CACHE, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** The Cerbos PDP binary. */
export const CERBOS_BIN = path.join(CACHE, 'node_modules', '@cerbos', 'cerbos-linux-x64', 'cerbos-linux-x64');
