#!/usr/bin/env bash
# On a lent machine of the device tool, from the repo root, with .devkit carried (built here
# by bench/lent_kit.sh): unpacks Python packages, Tesseract, Poppler and fonts under /tmp
# (fonts at their usual paths), then runs `bench.run_all --scaling` with the given worker
# counts on the first LENT_PAGES (48) pages. Output also goes to $OUT/scaling.txt.
set -euo pipefail
mkdir -p /tmp/site /tmp/kit "${OUT:=/tmp/out}"
tar -C /tmp/site -xJf .devkit/site.tar.xz
tar -C /tmp/kit -xJf .devkit/tools.tar.xz
tar -C / -xJf .devkit/fonts.tar.xz
export PATH="/tmp/kit/bin:$PATH" PYTHONPATH="/tmp/site:$PWD" PYTHONUNBUFFERED=1 \
  PREFECT_HOME=/tmp/prefect-home
{
  echo "cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo)"
  python3 -c 'import sys, cv2, numpy, prefect; print("python", sys.version.split()[0],
    "opencv", cv2.__version__, "numpy", numpy.__version__, "prefect", prefect.__version__)'
  tesseract --version 2>&1 | head -1
} | tee "$OUT/scaling.txt"
python3 -m bench.run_all --scaling "$@" --pages "${LENT_PAGES:-48}" 2>&1 | tee -a "$OUT/scaling.txt"
