#!/usr/bin/env bash
# One-time set-up: a virtualenv with everything (serving, services, training,
# tests) and, where we may, the Debian font packages the plate generator uses.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch/torchvision are pinned together in pyproject.toml (train extra).
.venv/bin/python -m pip install -q -e '.[all]'

# Fonts come from distribution packages, never from a download at run time.
fonts=$(.venv/bin/python -c "from training.synth.fonts import FONT_PACKAGES; print(' '.join(FONT_PACKAGES))")
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=$(for p in $fonts; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  if [ -n "$missing" ]; then
    apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null \
      || echo "warning: could not install font packages; the generator falls back to DejaVu" >&2
  fi
else
  echo "note: install these font packages for the full synthetic data engine: $fonts" >&2
fi
# Headless Chromium for the dashboard's browser test: Debian's packages, never a
# browser download (the test skips with a message where /usr/bin/chromium is absent).
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
      || echo "warning: could not install chromium; the dashboard browser test will skip" >&2
  fi
else
  echo "note: apt-get install -y chromium chromium-driver for the dashboard browser test" >&2
fi
echo "set-up done: activate with '. .venv/bin/activate'"
