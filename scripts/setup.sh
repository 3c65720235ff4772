#!/usr/bin/env bash
# Install everything Liaowang needs on a fresh machine (pnpm, system packages, dependencies with the nodejieba
# addon really built, the dev stack's Java artifacts). Safe to re-run: every step skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# --- toolchain ------------------------------------------------------------------------------------------------
command -v node >/dev/null || { echo "node 20 is required on PATH" >&2; exit 1; }
node -e 'const [M,m]=process.versions.node.split(".").map(Number); if (M<20||(M===20&&m<19)) { console.error("Node >= 20.19 required, found "+process.version); process.exit(1) }'

PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION"
fi

missing=()
command -v java >/dev/null && command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v make >/dev/null && command -v g++ >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# --- dependencies ---------------------------------------------------------------------------------------------
log "pnpm install"
# nodejieba is patched (patches/, applied by pnpm before its build script) and its install script is `node-gyp
# rebuild`: the addon is always built from the patched source, never a prebuilt binary.
export npm_config_yes=true
# node-gyp would download Node's headers from nodejs.org, which is not reachable here: use the local install's.
node_prefix=$(dirname "$(dirname "$(command -v node)")")
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$node_prefix/include/node/node.h" ]; then export npm_config_nodedir="$node_prefix"; fi
pnpm install --frozen-lockfile

jieba_addon=$(node -e 'const p=require("node:path");const d=p.dirname(require.resolve("nodejieba/package.json",{paths:[require("node:fs").realpathSync("packages/nlp")]}));console.log(p.join(d,"build/Release/nodejieba.node"))')
if [ ! -f "$jieba_addon" ]; then
  log "nodejieba was not built by its install script; rebuilding"
  pnpm rebuild nodejieba
fi
[ -f "$jieba_addon" ] || { echo "nodejieba native addon missing: $jieba_addon" >&2; exit 1; }
echo "nodejieba addon: $jieba_addon"

# The services run from JavaScript compiled into each member's dist/ (pnpm start, the tests and the bench also
# rebuild whatever is stale before they spawn a service; this compiles it once up front, in well under a second).
log "compile the services (dist/)"
pnpm -s build

# Browser tests drive Debian's chromium with playwright-core (no playwright browser download is reachable).
if grep -rqs "playwright-core" --include='*.test.ts' packages services test 2>/dev/null && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# The daily brief's PDF is set in a Chinese font from Debian; its tests read the PDF back with poppler-utils.
brief_missing=()
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || brief_missing+=(fonts-wqy-microhei)
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || brief_missing+=(poppler-utils)
if [ ${#brief_missing[@]} -gt 0 ]; then apt_install "${brief_missing[@]}"; fi

# --- Java artifacts for the dev stack (Kafka + Elasticsearch from Maven Central) ------------------------------
log "dev stack artifacts"
pnpm -s liaowang stack fetch
log "setup complete"
