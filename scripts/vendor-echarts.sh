#!/bin/sh
# Vendors Apache ECharts into internal/web/static/vendor/echarts from the npm
# registry: the minified full build (the heatmap and its visual map are not in the
# "common" build), its licence and notice. Usage: scripts/vendor-echarts.sh [VERSION]
set -eu
version=${1:-6.1.0}
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/internal/web/static/vendor/echarts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "echarts@$version" >/dev/null && tar xzf "echarts-$version.tgz")
mkdir -p "$dest"
cp "$tmp/package/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
cp "$tmp/package/NOTICE" "$dest/NOTICE"
sha=$(sha256sum "$dest/echarts.min.js" | cut -d' ' -f1)
cat >"$dest/README.md" <<MD
# Apache ECharts $version

\`echarts.min.js\` is \`dist/echarts.min.js\` of the npm package \`echarts@$version\`
(Apache License 2.0, see \`LICENSE\` and \`NOTICE\`), unmodified;
sha256 \`$sha\`.

Vendored by \`scripts/vendor-echarts.sh $version\` (\`npm pack\`, no build step). It is
embedded in the binary and served from /static with the other assets, only on the
pages that draw charts (internal/web/static/analytics-charts.js).
MD
echo "echarts $version → $dest (sha256 $sha)"
