#!/usr/bin/env bash
# Builds .devkit/ (ignored by git): what bench/lent_run.sh needs on a lent machine of the
# device tool. That machine has Python 3.12 with numpy, OpenCV and Pillow, and nothing can
# be fetched there: no Tesseract, no Poppler, no fonts, no Prefect. Everything that travels
# (this tree and .devkit) must stay under 64 MiB, hence xz and the ICU data stub below.
#
#   bash bench/lent_kit.sh        # here, after `make setup`
#   device run: carry [".devkit"], command "bash bench/lent_run.sh 1 2 4 8"
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=.devkit
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
grep -qx '/.devkit/' .git/info/exclude 2>/dev/null || echo '/.devkit/' >> .git/info/exclude
rm -rf "$KIT" && mkdir -p "$KIT"

# Python: the project's runtime dependencies at this venv's versions, as CPython 3.12 wheels,
# minus what the machine has (numpy, OpenCV, Pillow), installed into one folder.
.venv/bin/pip freeze | grep -v -e '^-e' -e '^ward' -e '^numpy=' -e '^opencv' -e '^pillow=' \
  > "$STAGE/constraints.txt"
reqs=$(.venv/bin/python - <<'PY'
import re, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
print(" ".join(re.split(r"[<>=!~ ]", d)[0] for d in deps
               if not re.match(r"(numpy|opencv|pillow)\b", d)))
PY
)
plats=""
for p in manylinux1 manylinux2014 manylinux_2_17 manylinux_2_24 manylinux_2_27 manylinux_2_28 \
         manylinux_2_31 manylinux_2_34 manylinux_2_35; do plats="$plats --platform ${p}_x86_64"; done
# shellcheck disable=SC2086
.venv/bin/pip download -q --only-binary=:all: --python-version 3.12 --implementation cp $plats \
  --platform any -c "$STAGE/constraints.txt" -d "$STAGE/wheels" $reqs
rm -f "$STAGE"/wheels/pillow-* "$STAGE"/wheels/numpy-*
.venv/bin/pip install -q --no-deps --no-compile --python-version 3.12 --implementation cp \
  --only-binary=:all: --target "$STAGE/site" "$STAGE"/wheels/*.whl
tar -C "$STAGE/site" -cf - . | xz -9 -T2 > "$KIT/site.tar.xz"

# Tesseract and Poppler with every library they load but glibc's and the compiler's (the
# machine's are newer), behind wrappers that set LD_LIBRARY_PATH for them alone.
mkdir -p "$STAGE/tools/bin" "$STAGE/tools/lib" "$STAGE/tools/tessdata"
bins="tesseract pdftoppm pdfinfo pdfunite"
for b in $bins; do ldd "$(command -v "$b")"; done | awk '$3 ~ /^\// {print $3}' | sort -u \
  | grep -v -E '/(libc|libm|libstdc\+\+|libgcc_s|libresolv|libpthread|libdl|librt)\.so' \
  | xargs -I{} cp -L {} "$STAGE/tools/lib/"
# libxml2 (pulled in by libarchive) needs ICU, whose 31 MB data file neither Tesseract nor
# Poppler ever reads: a stub that only defines its symbol.
icu=$(basename "$(ls "$STAGE"/tools/lib/libicudata.so.* 2>/dev/null | head -1)" 2>/dev/null || true)
if [ -n "$icu" ]; then
  ver=${icu#libicudata.so.}
  printf 'const char icudt%s_dat[64] = {0};\n' "$ver" > "$STAGE/icu.c"
  gcc -shared -fPIC -Wl,-soname,"$icu" -o "$STAGE/tools/lib/$icu" "$STAGE/icu.c"
fi
for b in $bins; do
  cp "$(command -v "$b")" "$STAGE/tools/bin/$b.real"
  printf '#!/bin/sh\nd=$(dirname "$(readlink -f "$0")")/..\nLD_LIBRARY_PATH="$d/lib" TESSDATA_PREFIX="$d/tessdata" exec "$d/bin/%s.real" "$@"\n' \
    "$b" > "$STAGE/tools/bin/$b"
  chmod +x "$STAGE/tools/bin/$b"
done
td=$(dirname "$(ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata | head -1)")
cp -r "$td"/{vie,eng,Vietnamese,osd}.traineddata "$td"/configs "$td"/tessconfigs "$td"/pdf.ttf \
  "$STAGE/tools/tessdata/"
tar -C "$STAGE/tools" -cf - . | xz -9 -T2 > "$KIT/tools.tar.xz"

# The sample generator's fonts (samples/render.py FONTS and degrade's stamp font), at their
# absolute paths.
.venv/bin/python -c 'from samples.render import FONTS
print("\n".join(p for f in FONTS.values() for p in (f.regular, f.bold, f.italic)))
print("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")' | sort -u | sed 's|^/||' \
  > "$STAGE/fonts.txt"
tar -C / -cf - -T "$STAGE/fonts.txt" | xz -9 > "$KIT/fonts.tar.xz"
du -ch "$KIT"/* | tail -4
