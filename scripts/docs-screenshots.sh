#!/usr/bin/env bash
# The README's console screenshots: the browser tests write every screen to reports/console/
# (npx vitest run test/browser/every-screen.test.ts test/browser/whole-day.test.ts); this copies the main ones to docs/screenshots/,
# reduced to 256 colours with pngquant (Debian package `pngquant`), each well under 200 KB.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pngquant >/dev/null || { echo "pngquant not found: apt-get install pngquant" >&2; exit 1; }
mkdir -p docs/screenshots
copy() { pngquant --force --strip --quality 60-90 --output "docs/screenshots/$2.png" "reports/console/$1.png"; }
for size in laptop phone; do
  for screen in 01-my-sms 02-conversation-related 04-record 05-quiet-hours 06-templates 07-template-editor; do
    copy "${size}-en-${screen}" "${size}-${screen#??-}"
  done
done
copy phone-sv-02-conversation-related phone-conversation-related-sv
copy laptop-sv-03-hand-off laptop-hand-off-sv
copy phone-en-thread phone-thread
copy phone-sv-menu phone-menu-sv
copy session-ended-sv session-ended-sv
ls -l docs/screenshots
