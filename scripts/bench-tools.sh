#!/usr/bin/env bash
# Installs the reference tools `npm run bench` compares against, when missing: aria2c + opentracker +
# transmission-create (the BitTorrent reference, P4) and iperf3 (measures the shaped link rates). Debian packages,
# root only; without root it says what is missing and the benchmarks report those rows as not measured.
set -uo pipefail

need=()
command -v aria2c >/dev/null || need+=(aria2)
command -v opentracker >/dev/null || need+=(opentracker)
command -v transmission-create >/dev/null || need+=(transmission-cli)
command -v iperf3 >/dev/null || need+=(iperf3)
[ "${#need[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "!!! bench: missing ${need[*]} and not root; rows that need them will be reported as not measured" >&2
  exit 0
fi
echo "bench: installing ${need[*]} (Debian packages)" >&2
install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; }
install || { apt-get update -qq >&2 && install; } || echo "!!! bench: could not install ${need[*]}; rows that need them will be reported as not measured" >&2
exit 0
