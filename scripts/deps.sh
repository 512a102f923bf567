#!/bin/sh
# Install the Debian packages aza needs that are not installed yet.
# Uses sudo when not root. Installs nothing when everything is present.
set -eu
pkgs="cmake make gcc lua5.4 liblua5.4-dev lua5.3 liblua5.3-dev lua5.1 liblua5.1-0-dev
luajit libluajit-5.1-dev lua-lpeg lua-busted lua-check luarocks lua-cjson
clang-format clang libclang-rt-14-dev valgrind locales"
# one dpkg-query for all of them (make build runs this every time)
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null | awk '/ ok installed$/ {print $1}')
missing=""
for p in $pkgs; do
  case " $(echo $installed) " in
    *" $p "*) ;;
    *) missing="$missing $p" ;;
  esac
done
if [ -n "$missing" ]; then
  echo "deps: installing$missing"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
sh "$(dirname "$0")/luarocks-setup.sh"
