#!/usr/bin/env bash
# Checks that a scraper binary can run in the Docker image's runtime stage: every shared library `ldd`
# lists must come from a Debian package that the stage installs (its `apt-get install` list), from one of
# their dependencies, or from the base image (debian:bookworm-slim ships apt and what apt depends on).
#
#   scripts/check-runtime-libraries.sh BINARY [DOCKERFILE]
#
# The release binary is built with --static-swift-stdlib, so no Swift runtime library may appear. A debug
# build links the toolchain's: --allow-swift-runtime lets those through (and says so), for checking the
# C libraries of a development build. Exit 0 when all is found; 1 naming each library that is not.
set -euo pipefail
allow_swift=0
if [ "${1:-}" = "--allow-swift-runtime" ]; then allow_swift=1; shift; fi
binary="${1:?usage: check-runtime-libraries.sh [--allow-swift-runtime] BINARY [DOCKERFILE]}"
dockerfile="${2:-$(dirname "$0")/../Dockerfile}"
[ -x "$binary" ] || { echo "error: $binary is not an executable file" >&2; exit 1; }

# The runtime stage's packages: `apt-get install` arguments after the last FROM (continuations joined).
mapfile -t runtime < <(awk '/^FROM /{stage=""} {stage = stage $0 "\n"} END {printf "%s", stage}' "$dockerfile" \
  | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' \
  | grep -oE 'apt-get install[^&;]*' | sed 's/apt-get install//' | tr ' ' '\n' | grep -E '^[a-z0-9][a-z0-9.+-]+$' || true)
[ "${#runtime[@]}" -gt 0 ] || { echo "error: no apt-get install in the last stage of $dockerfile" >&2; exit 1; }

# Those packages, apt (the base image's), and everything they depend on, as this machine's apt knows them.
allowed="$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
  --no-enhances "${runtime[@]}" apt 2>/dev/null | grep -vE '^ |<' | sed 's/:.*//' | sort -u)"

owner() {  # the package that installed a library file (Debian's merged /usr: try both spellings)
  local path="$1" real
  real="$(readlink -f "$path")"
  for candidate in "$path" "$real" "/usr$path" "/usr$real" "${path#/usr}" "${real#/usr}"; do
    dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1 && return 0
  done
  return 1
}

problems=0 checked=0 swift=0
while read -r name arrow path _; do
  [ "$arrow" = "=>" ] || { [[ "$name" == /* ]] && path="$name" || continue; }
  [ "$path" != "not" ] || { echo "missing: $name is not found at all (ldd: not found)"; problems=$((problems + 1)); continue; }
  checked=$((checked + 1))
  if [[ "$(basename "$path")" == libswift* || "$(basename "$path")" == *Foundation* || "$(basename "$path")" == libdispatch.so \
        || "$(basename "$path")" == libBlocksRuntime.so ]] && ! owner "$path" >/dev/null; then
    swift=$((swift + 1))
    if [ "$allow_swift" -eq 0 ]; then
      echo "not in the image: $path is the Swift toolchain's; build with --static-swift-stdlib"
      problems=$((problems + 1))
    fi
    continue
  fi
  if ! package="$(owner "$path")"; then
    echo "not in the image: $path belongs to no Debian package"
    problems=$((problems + 1))
  elif ! grep -qx "$package" <<< "$allowed"; then
    echo "not in the image: $path comes from $package, which the runtime stage neither installs nor pulls in: add $package to its apt-get install"
    problems=$((problems + 1))
  fi
done < <(ldd "$binary")

[ "$swift" -eq 0 ] || [ "$allow_swift" -eq 0 ] || echo "note: $swift Swift runtime libraries let through (--allow-swift-runtime; the release build links them statically)"
if [ "$problems" -gt 0 ]; then
  echo "$problems of $checked libraries would be missing in the image (runtime packages: ${runtime[*]})"
  exit 1
fi
echo "ok: all $checked libraries come from the runtime stage's packages (${runtime[*]}) or the base image"
