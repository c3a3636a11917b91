#!/usr/bin/env bash
# Scaling of the helpers on the growing inputs of issue 20: for each case, the wall time and
# peak memory at n, 2n and 4n and the ratios t(2n)/t(n), t(4n)/t(2n) (about 2 = linear, about
# 4 = quadratic). Speed is measured here, never asserted by tests.
#
# Usage: scripts/bench-hostile.sh [--profile dev|local|release] [CASE...]
#   cases: lint-defs lint-classes check-chain spec-flat spec-nested init-modules corpus-depth
#   (default: all). `--profile local` (the launcher's from-source build: optimised, no LTO) gives
#   the figures a user sees; `dev` (default) reuses the debug build and is several times slower.
# Needs: /usr/bin/time (GNU time) for peak memory; python3 to write the inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=dev
if [ "${1:-}" = "--profile" ]; then
    profile="$2"
    shift 2
fi
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(lint-defs lint-classes check-chain spec-flat spec-nested init-modules corpus-depth)
cargo build --quiet --profile "$profile" -p tensor-shape-lint -p mermaid-gen -p repro-check
dir=target/$([ "$profile" = dev ] && echo debug || echo "$profile")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# gen KIND N FILE: writes one input of size N.
gen() {
    python3 - "$@" <<'EOF'
import sys
kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "lint-defs":
    text = "".join(f"def f{i}(x: int) -> int:\n    return x + {i}\n\n\n" for i in range(n))
elif kind == "lint-classes":
    cls = ("class C{i}(nn.Module):\n    def __init__(self) -> None:\n        super().__init__()\n"
           "        self.fc = nn.Linear(4, 4)\n\n    def forward(self, x: torch.Tensor) -> torch.Tensor:\n"
           "        # x: [B, 4]\n        x = self.fc(x)  # x: [B, 4] <- Linear(4, 4)\n        return x\n\n\n")
    text = "import torch\nfrom torch import nn\n\n\n" + "".join(cls.format(i=i) for i in range(n))
elif kind == "check-chain":
    text = "graph LR\n" + "-->".join(f"A{i}" for i in range(n)) + "\n"
elif kind == "spec-flat":
    text = ("nodes:\n" + "".join(f"  - id: n{i}\n" for i in range(n)) + "edges:\n"
            + "".join(f"  - from: n{i}\n    to: n{i+1}\n" for i in range(n - 1)))
elif kind == "spec-nested":
    text = "nodes:\n  - id: n0\n    kind: input\n    shape: [B, 4]\nsubgraphs:\n"
    for i in range(n):
        member = f"s{i+1}" if i + 1 < n else "n0"
        text += f"  - id: s{i}\n    members: [{member}]\n"
elif kind == "init-modules":
    text = ",".join(f"m{i}" for i in range(n))
open(path, "w").write(text)
EOF
}

# measure KIND N: prints "seconds peak_kb" of one run on an input of size N.
measure() {
    local kind=$1 n=$2 input="$work/in-$1-$2" t
    gen "$kind" "$n" "$input"
    case $kind in
        lint-*) set -- "$dir/tensor-shape-lint" "$input" ;;
        check-chain) set -- "$dir/mermaid-gen" check "$input" ;;
        spec-flat) set -- "$dir/mermaid-gen" spec "$input" ;;
        spec-nested) set -- "$dir/mermaid-gen" spec "$input" ;;
        init-modules) rm -rf "$work/out"; set -- "$dir/repro-check" init --paper P --model Net \
            --out "$work/out" --modules "$(cat "$input")" ;;
    esac
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
    # GNU time writes "Command exited with non-zero status N" first when N != 0.
    tail -1 "$work/time"
}

for kind in "${cases[@]}"; do
    if [ "$kind" = corpus-depth ]; then
        # The measurement behind the default nesting budget (pymodel::nesting).
        corpus=target/corpus/pytorch
        [ -d "$corpus" ] && cargo run --quiet --profile "$profile" -p pymodel --example nesting_depth -- "$corpus" | tail -2
        continue
    fi
    case $kind in
        lint-defs) n=2000 ;;
        lint-classes) n=500 ;;
        check-chain) n=2500 ;;
        spec-flat) n=2500 ;;
        # Inherently quadratic: each nested subgraph indents its lines once more, so the output
        # itself grows as depth^2 (10k levels under --max-nesting 100000: 5.9 s, 800 MB). The
        # nesting budget (1000 by default) bounds it; measured up to the budget.
        spec-nested) n=250 ;;
        init-modules) n=1000 ;;
        *) echo "bench-hostile: unknown case $kind" >&2; exit 2 ;;
    esac
    read -r t1 m1 < <(measure "$kind" "$n")
    read -r t2 m2 < <(measure "$kind" $((2 * n)))
    read -r t4 m4 < <(measure "$kind" $((4 * n)))
    awk -v k="$kind" -v n="$n" -v t1="$t1" -v t2="$t2" -v t4="$t4" -v m1="$m1" -v m2="$m2" -v m4="$m4" 'BEGIN {
        r1 = (t1 > 0) ? t2 / t1 : 0; r2 = (t2 > 0) ? t4 / t2 : 0
        printf "%-13s n=%-6d %6.2f s %6.2f s %6.2f s   ratios %.1f %.1f   peak %d/%d/%d MB\n",
            k, n, t1, t2, t4, r1, r2, m1 / 1024, m2 / 1024, m4 / 1024 }'
done
