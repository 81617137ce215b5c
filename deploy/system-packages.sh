#!/usr/bin/env bash
# Install the Debian packages named as arguments that are not installed yet, with apt-get (through
# sudo when not root). When they are all there it only asks dpkg, so every make target can call it.
#
#   deploy/system-packages.sh postgresql redis-server chromium chromium-driver gettext
#
# postgresql: make prod's and the integration tests' servers; redis-server: cache and Celery
# broker; chromium and chromium-driver: browser tests; gettext: compiling the zh_Hans catalogue;
# wrk: the load generator of bench/storefront.py and bench/profile_page.py.
set -euo pipefail

if ! command -v dpkg >/dev/null; then
    echo "warning: not a Debian machine: install $* yourself" >&2
    exit 0
fi
missing=()
for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
((${#missing[@]})) || exit 0

echo "Installing missing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
"${sudo[@]}" apt-get update -qq
# The packages must not start their own servers (the tests and make prod start theirs, on free
# ports): RUNLEVEL=1 makes Debian's invoke-rc.d leave them stopped. `env` passes it, and the
# non-interactive front end, through sudo, which would drop them from the environment.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
