#!/usr/bin/env bash
# Regenerates docs/man/scraper.1 from the command definitions themselves (swift-argument-parser's
# generate-manual plugin; the same source as --help). Run it after adding or changing a command or an
# option: CompletionAndManualTests fails while the page misses one. The Docker image installs the page.
set -euo pipefail
cd "$(dirname "$0")/.."
date="${MANUAL_DATE:-$(git log -1 --format=%cs 2>/dev/null || date -u +%F)}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
swift package --allow-writing-to-directory "$out" generate-manual --configuration debug \
  --date "$date" --section 1 --authors "the scraper developers" --output-directory "$out" >/dev/null
# A blank line inside help text is a paragraph break, which mdoc spells .Pp (man warns on empty lines).
sed 's/^$/.Pp/' "$out/scraper.1" > "$out/scraper.fixed.1"
install -m 0644 "$out/scraper.fixed.1" docs/man/scraper.1
echo "wrote docs/man/scraper.1 ($(wc -l < docs/man/scraper.1) lines, dated $date)"
