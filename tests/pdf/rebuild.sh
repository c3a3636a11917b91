#!/bin/sh
# Rebuilds the committed LaTeX fixtures of pdf-figures with pdflatex (Debian: texlive-latex-base,
# texlive-latex-recommended, texlive-pictures). Tests read the committed PDFs and .pos files, so
# this is only needed after editing a .tex file. The PDFs are reproducible (no dates, no IDs).
set -eu
cd "$(dirname "$0")"
for tex in latex/*.tex sample/*.tex; do
    dir=$(dirname "$tex"); base=$(basename "$tex" .tex)
    (cd "$dir" && SOURCE_DATE_EPOCH=0 FORCE_SOURCE_DATE=1 pdflatex -interaction=nonstopmode -halt-on-error "$base.tex" >/dev/null \
        && SOURCE_DATE_EPOCH=0 FORCE_SOURCE_DATE=1 pdflatex -interaction=nonstopmode -halt-on-error "$base.tex" >/dev/null \
        && rm -f "$base.aux" "$base.log" "$base.out")
    echo "built $dir/$base.pdf"
done
