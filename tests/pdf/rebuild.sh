#!/bin/sh
# Rebuilds the committed LaTeX fixtures of pdf-figures with pdflatex (Debian: texlive-latex-base,
# texlive-latex-recommended, texlive-pictures; the held-out set also needs texlive-latex-extra,
# texlive-publishers and texlive-fonts-recommended; latex/chinese.tex needs latex-cjk-chinese and
# latex-cjk-chinese-arphic-gbsn00lp). Tests read the committed PDFs and .pos files, so
# this is only needed after editing a .tex file. The PDFs are reproducible (no dates, no IDs).
set -eu
cd "$(dirname "$0")"
for tex in latex/*.tex sample/*.tex heldout/*.tex; do
    dir=$(dirname "$tex"); base=$(basename "$tex" .tex)
    # figpos.tex is the held-out set's position recorder, input by the others.
    [ "$base" = figpos ] && continue
    (cd "$dir" && SOURCE_DATE_EPOCH=0 FORCE_SOURCE_DATE=1 pdflatex -interaction=nonstopmode -halt-on-error "$base.tex" >/dev/null \
        && SOURCE_DATE_EPOCH=0 FORCE_SOURCE_DATE=1 pdflatex -interaction=nonstopmode -halt-on-error "$base.tex" >/dev/null \
        && rm -f "$base.aux" "$base.log" "$base.out")
    echo "built $dir/$base.pdf"
done
