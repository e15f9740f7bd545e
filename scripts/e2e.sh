#!/usr/bin/env bash
# Browser tests: builds a small demo county in a temporary directory, serves it
# on a free port and drives Debian's Chromium through web/e2e/smoke.mjs, then
# through web/e2e/benefit.mjs (one family's benefit from candidate to paid).
set -euo pipefail
bin=$(realpath "${1:-bin/jisheng}")
chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
	echo "e2e: 找不到 chromium：请先运行 apt-get install -y chromium（.ci/run 会自动安装）" >&2
	exit 1
fi
# The benefit test reads the notices' PDF with real tools.
for tool in pdftotext:poppler-utils pdftoppm:poppler-utils zbarimg:zbar-tools; do
	if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
		echo "e2e: 找不到 ${tool%%:*}：请先运行 apt-get install -y ${tool##*:}（.ci/run 会自动安装）" >&2
		exit 1
	fi
done
if [ ! -d /usr/share/poppler/cMap ]; then
	echo "e2e: 缺少中文字体映射：请先运行 apt-get install -y poppler-data（.ci/run 会自动安装）" >&2
	exit 1
fi
tmp=$(mktemp -d)
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

"$bin" demo --db "$tmp/e2e.db" --county 341523 --persons 3000 --seed 7 >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log"; exit 1; }
"$bin" serve --db "$tmp/e2e.db" --addr 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.log" &
server=$!
url=""
for _ in $(seq 1 100); do
	url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.out" || true)
	[ -n "$url" ] && break
	kill -0 "$server" 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
	sleep 0.1
done
[ -n "$url" ] || { echo "e2e: 服务未能启动" >&2; cat "$tmp/serve.log"; exit 1; }

cd "$(dirname "$0")/../web"
JISHENG_URL="$url" JISHENG_USER=county JISHENG_PASSWORD='Jisheng@2026' CHROMIUM="$chromium" node e2e/smoke.mjs

# Benefits from candidate to paid: the test serves the same demo database
# itself, today and some days ahead, so this server stops first.
kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
server=""
JISHENG_BIN="$bin" JISHENG_DB="$tmp/e2e.db" CHROMIUM="$chromium" node e2e/benefit.mjs
