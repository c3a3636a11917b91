#!/bin/sh
# Rebuilds the committed table fixtures of pdf-figures with pdflatex (Debian: texlive-latex-base,
# texlive-latex-recommended, texlive-latex-extra for multirow). Tests read the committed PDFs; this
# is only needed after editing a .tex file. The PDFs are reproducible (no dates, no IDs).
set -eu
cd "$(dirname "$0")"
for tex in *.tex; do
    base=$(basename "$tex" .tex)
    for _ in 1 2; do
        SOURCE_DATE_EPOCH=0 FORCE_SOURCE_DATE=1 pdflatex -interaction=nonstopmode -halt-on-error "$base.tex" >/dev/null
    done
    rm -f "$base.aux" "$base.log" "$base.out"
    echo "built $base.pdf"
done
