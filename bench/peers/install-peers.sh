#!/usr/bin/env bash
# bench/peers/install-peers.sh — installs the peers pinned in
# bench/peers/package.json from the npm registry into the cache folder
# $REDLINE_PEERS_CACHE (default $HOME/.cache/redline-peers), outside the
# repository. Idempotent: does nothing when the pinned versions are there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache=${REDLINE_PEERS_CACHE:-$HOME/.cache/redline-peers}
command -v node > /dev/null && command -v npm > /dev/null || { echo "install-peers: node and npm are needed (Node 20+)" >&2; exit 1; }
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || { echo "install-peers: Node 20+ is needed, found $(node --version)" >&2; exit 1; }
mkdir -p "$cache"
if [ -f "$cache/package.json" ] && cmp -s "$here/package.json" "$cache/package.json" && [ -d "$cache/node_modules" ] &&
   node -e '
     const fs = require("fs"), path = require("path"), c = process.argv[1];
     const deps = JSON.parse(fs.readFileSync(path.join(c, "package.json"))).dependencies;
     for (const [n, v] of Object.entries(deps)) {
       const p = path.join(c, "node_modules", n, "package.json");
       if (!fs.existsSync(p) || JSON.parse(fs.readFileSync(p)).version !== v) process.exit(1);
     }' "$cache"; then
  echo "install-peers: pinned peers present in $cache"
  exit 0
fi
cp "$here/package.json" "$cache/package.json"
echo "install-peers: npm install into $cache"
(cd "$cache" && timeout 600 npm install --no-audit --no-fund --loglevel=error)
