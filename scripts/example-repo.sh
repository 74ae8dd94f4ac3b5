#!/usr/bin/env bash
# Makes (or updates) a git repository holding examples/templates under the state directory and prints its path.
# The quick start and manual trials plan from it like from any template repository.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="${AXLE_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/axle}"
repo="$state/example-templates"
mkdir -p "$repo"
rsync -a --delete --exclude .git "$root/examples/templates/" "$repo/" 2>/dev/null || { rm -rf "${repo:?}"/*; cp -r "$root/examples/templates/." "$repo/"; }
cd "$repo"
[ -d .git ] || git init -q -b master
git add -A
if ! git diff --cached --quiet 2>/dev/null || ! git rev-parse -q --verify HEAD >/dev/null; then
  git -c user.name=axle -c user.email=axle@localhost commit -q -m "example templates" --allow-empty
fi
echo "$repo"
