#!/usr/bin/env bash
# Trains the two models the console ships (issue 25) from the batches in resources/model/data, with Debian's
# fastText command: the dissatisfaction detector's message classifier (unhappy, person, correction, none) and
# the guard's sentence classifier (claim, honest). Deterministic: one thread, a fixed seed, the batches in name
# order; the evaluation sets (tests/data, never training data) are left out line by line.
#
#   scripts/train-models.sh [OUTDIR]      default OUTDIR: resources/model (the shipped models)
#
# Writes OUTDIR/detector.ftz and OUTDIR/guard.ftz (quantised) with their metadata (detector.json,
# guard.json: the model's SHA-256, the data's SHA-256, the parameters). tst_model fails when the shipped
# models are not what this script makes from the data in the repository. Needs learnpulsectl (built if
# missing) for the text as the model sees it (learnpulsectl model prepare).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/resources/model}
ctl=${LEARNPULSE_CTL:-$root/build/app/learnpulsectl}
if [[ ! -x $ctl ]]; then
    LEARNPULSE_BUILD_DIR="$root/build" "$root/scripts/build.sh" --target learnpulsectl
fi
command -v fasttext >/dev/null || "$root/packaging/install-deps.sh"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LEARNPULSE_DATA_DIR="$work/data-dir" # learnpulsectl's own settings stay out of it

# The training parameters, chosen by leave-one-batch-out cross-validation (docs/DATA.md): words and word pairs,
# no character n-grams (-minn 0 -maxn 0): pieces of words fitted each writer's spelling and cost precision on the
# writers left out.
detector_params=(-dim 50 -epoch 50 -lr 0.3 -wordNgrams 2 -minn 0 -maxn 0 -bucket 200000)
guard_params=(-dim 50 -epoch 50 -lr 0.3 -wordNgrams 2 -minn 0 -maxn 0 -bucket 200000)
quantise=(-qnorm -cutoff 100000 -retrain)
common=(-thread 1 -seed 1 -verbose 0)

excludes=()
for f in "$root"/tests/data/*.tsv "$root"/tests/data/*.jsonl "$root"/tests/data/unseen/*; do
    [[ -f $f ]] && excludes+=(--exclude "$f")
done

data_hash() { # the batches a model learns from (folders), by name and content
    (cd "$root/resources/model/data" && LC_ALL=C find "$@" -type f \( -name '*.tsv' -o -name '*.jsonl' \) |
        LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1
}

train() { # name kind params...
    local name=$1 kind=$2
    shift 2
    # The message model also learns from the labelled teacher turns of the conversation batches.
    local sources=("$kind") also=()
    if [[ $kind == messages ]]; then
        sources+=(conversations)
        also=(--conversations "$root/resources/model/data/conversations")
    fi
    "$ctl" model prepare "$kind" "$root/resources/model/data/$kind" "${also[@]}" "${excludes[@]}" \
        >"$work/$name.train" 2>"$work/$name.log"
    fasttext supervised -input "$work/$name.train" -output "$work/$name" "$@" "${common[@]}"
    fasttext quantize -input "$work/$name.train" -output "$work/$name" "${quantise[@]}" "${common[@]}"
    cp "$work/$name.ftz" "$out/$name.ftz"
    local examples
    examples=$(wc -l <"$work/$name.train")
    cat >"$out/$name.json" <<EOF
{
  "name": "$name",
  "sha256": "$(sha256sum "$out/$name.ftz" | cut -d' ' -f1)",
  "data_sha256": "$(data_hash "${sources[@]}")",
  "data": "$(printf 'resources/model/data/%s ' "${sources[@]}" | sed 's/ $//')",
  "examples": $examples,
  "fasttext": "supervised $* ${common[*]}; quantize ${quantise[*]} ${common[*]}",
  "trained_by": "scripts/train-models.sh"
}
EOF
    echo "$name: $examples examples, $(stat -c %s "$out/$name.ftz") bytes ($(cat "$work/$name.log" | sed 's/^learnpulsectl: //'))"
}

train detector messages "${detector_params[@]}"
train guard guard "${guard_params[@]}"
