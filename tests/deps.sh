#!/bin/sh
# tests/deps.sh [check]: installs the Debian packages pt needs to build and
# run the demo, when any is missing (apt-get as root; otherwise says what to
# run); with "check", those the tests need too: Chromium (pt-report's pages
# are opened in it) and LaTeX (pt-stats -f latex tables are compiled).
pkgs="build-essential pkg-config libcurl4-openssl-dev libjq-dev libonig-dev jq libcjson-dev libcairo2-dev libpng-dev
libgsl-dev libssl-dev mandoc python3 fonts-dejavu-core ca-certificates parallel"
[ "${1:-}" = check ] && pkgs="$pkgs chromium texlive-latex-base texlive-latex-recommended"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null || {
		echo "tests/deps.sh: apt-get install failed" >&2; exit 1; }
else
	echo "missing Debian packages; run: sudo apt-get install$missing" >&2
	exit 1
fi
