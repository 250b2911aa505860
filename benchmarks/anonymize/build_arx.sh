#!/usr/bin/env bash
# Compile ARX from its source with plain javac (Maven Central is not reachable here).
#
#   benchmarks/anonymize/build_arx.sh GIT_DIR OUT_DIR
#
# GIT_DIR is a clone (or bare mirror) of github.com/arx-deidentifier/arx; tested at commit
# aacd487fb (2025-09-12). The jars under lib/ are used as they are; three jars the
# repository stores outside git (pdfbox, hadoop-core) are replaced by tiny stubs in
# arx_stubs/ that only satisfy the compiler (the PDF certificate and Mahout's Writable are
# never used by the anonymisation code). Prints the class path to put in ARX_CLASSPATH.
set -euo pipefail
GIT_DIR="$1"
OUT="$2"
HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$OUT/src" "$OUT/jars" "$OUT/classes" "$OUT/bench"
git --git-dir="$GIT_DIR" archive HEAD src/main | tar x -C "$OUT/src"
for f in $(git --git-dir="$GIT_DIR" ls-tree -r --name-only HEAD lib | grep '\.jar$'); do
  git --git-dir="$GIT_DIR" show "HEAD:$f" > "$OUT/jars/$(basename "$f")" 2>/dev/null \
    || rm -f "$OUT/jars/$(basename "$f")"
done
javac -nowarn -encoding UTF-8 -J-Xmx1g -cp "$OUT/jars/*" -d "$OUT/classes" \
  $(find "$HERE/arx_stubs" -name '*.java') \
  $(find "$OUT/src/src/main" -name '*.java' | grep -v -E 'certificate/(ARXCertificate|resources/Watermark)\.java') \
  2>&1 | grep -v '^Note:' || true
javac -nowarn -cp "$OUT/classes:$OUT/jars/*" -d "$OUT/bench" "$HERE/ArxAdult.java" "$HERE/ArxRisk.java" "$HERE/ArxModels.java"
echo "$OUT/bench:$OUT/classes:$OUT/jars/*"
