#!/bin/sh
# Rebuilds the display-equation fixture with pdflatex (Debian: texlive-latex-base,
# texlive-latex-recommended for amsmath). Tests read the committed PDF and equations.tsv (the
# numbered equations of equations.tex, written by hand from the source), so this is only needed
# after editing the .tex file. The PDF is reproducible (no dates, no IDs).
set -eu
cd "$(dirname "$0")"
for pass in 1 2; do
    SOURCE_DATE_EPOCH=0 FORCE_SOURCE_DATE=1 pdflatex -interaction=nonstopmode -halt-on-error equations.tex >/dev/null
done
rm -f equations.aux equations.log
echo "built tests/pdf/equations/equations.pdf (pass $pass)"
