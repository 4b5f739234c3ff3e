#!/usr/bin/env bash
# Leave-one-batch-out cross-validation of the detector and the guard (issue 25, docs/DATA.md): for each
# batch, a model is trained on every other batch (the same parameters as scripts/train-models.sh, without
# the quantisation) and the whole detector -- rules and that model, as the console combines them -- is
# measured on the batch left out, at several thresholds. The message model also learns from the labelled turns of
# the conversation batches: for each conversation batch, a model trained without it measures the conversation logic
# on it through the real turn (at the default threshold). Prints Markdown tables; with an OUTDIR, also
# writes OUTDIR/detector-tradeoffs.json (what each model threshold trades, shown by the settings dialog).
#
#   scripts/evaluate-models.sh [OUTDIR]        (about 20 minutes on two cores)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-}
[[ -n $out ]] && mkdir -p "$out"
ctl=${LEARNPULSE_CTL:-$root/build/app/learnpulsectl}
[[ -x $ctl ]] || LEARNPULSE_BUILD_DIR="$root/build" "$root/scripts/build.sh" --target learnpulsectl
jobs=${LEARNPULSE_JOBS:-$(nproc)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LEARNPULSE_DATA_DIR="$work/data-dir"
thresholds=(50 60 70 80 90)
params=(-dim 50 -epoch 50 -lr 0.3 -wordNgrams 2 -minn 0 -maxn 0 -bucket 200000 -thread 1 -seed 1 -verbose 0)
excludes=()
for f in "$root"/tests/data/*.tsv "$root"/tests/data/*.jsonl "$root"/tests/data/unseen/*; do
    [[ -f $f ]] && excludes+=(--exclude "$f")
done

fold() { # kind batch-file: train without it, measure on it
    local kind=$1 file=$2 batch model=$1 also=()
    batch=$(basename "$(basename "$file" .tsv)" .jsonl)
    if [[ $kind != guard ]]; then
        model=messages
        also=(--conversations "$root/resources/model/data/conversations")
    fi
    "$ctl" model prepare "$model" "$root/resources/model/data/$model" "${also[@]}" --except "$batch" "${excludes[@]}" \
        >"$work/$batch.train" 2>/dev/null
    fasttext supervised -input "$work/$batch.train" -output "$work/$batch" "${params[@]}"
    printf '{"sha256": "%s"}\n' "$(sha256sum "$work/$batch.bin" | cut -d' ' -f1)" >"$work/$batch.json"
    local what=detect levels=("${thresholds[@]}")
    [[ $kind == guard ]] && what=guard
    [[ $kind == conversations ]] && what=conversations levels=(80)
    for t in "${levels[@]}"; do
        "$ctl" evaluate "$what" "$file" --model "$work/$batch.bin" --threshold "$t" --json 2>/dev/null |
            sed "s/^{/{\"batch\":\"$batch\",\"threshold\":$t,/"
    done >"$work/$batch.result"
    rm -f "$work/$batch.bin" "$work/$batch.vec" "$work/$batch.train"
}
run_folds() { # kind
    local kind=$1
    local files=("$root"/resources/model/data/$kind/*.tsv)
    [[ $kind == conversations ]] && files=("$root"/resources/model/data/conversations/*.jsonl)
    local running=0
    for f in "${files[@]}"; do
        fold "$kind" "$f" &
        running=$((running + 1))
        if ((running >= jobs)); then
            wait -n
            running=$((running - 1))
        fi
    done
    wait
}

run_folds messages
cat "$work"/b*.result >"$work/detector.jsonl"
run_folds guard
cat "$work"/g*.result >"$work/guard.jsonl"

run_folds conversations
cat "$work"/c*.result >"$work/conversations.jsonl"
# The shared development set of conversations, with the shipped model (it trains nothing).
"$ctl" evaluate conversations "$root/tests/data/conversations-dev.jsonl" --json 2>/dev/null |
    sed 's|^{|{"batch":"conversations-dev (shipped model)",|' >>"$work/conversations.jsonl"

python3 - "$work" "$out" <<'EOF'
import json, sys, collections
work, out = sys.argv[1], sys.argv[2]
def load(name):
    return [json.loads(l) for l in open(f"{work}/{name}.jsonl") if l.strip()]
def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)

det = load("detector")
print("## Detector, leave one batch out (rules and model together)\n")
print("| threshold | precision | recall | F1 | explicit asks caught | a ticket at once |")
print("| --- | --- | --- | --- | --- | --- |")
tradeoffs = []
for t in sorted({r["threshold"] for r in det}):
    rows = [r for r in det if r["threshold"] == t]
    tp, fp, fn = (sum(r[k] for r in rows) for k in ("true_positives", "false_positives", "false_negatives"))
    asks = sum(r["explicit_asks"] for r in rows)
    caught = sum(r["explicit_recall"] * r["explicit_asks"] for r in rows)
    opened = sum(r["explicit_opened_at_once"] * r["explicit_asks"] for r in rows)
    p, rc, f = prf(tp, fp, fn)
    print(f"| {t} % | {p:.3f} | {rc:.3f} | {f:.3f} | {caught / asks:.3f} | {opened / asks:.3f} |")
    tradeoffs.append({"threshold": t, "precision": round(p, 3), "recall": round(rc, 3)})
print("\n### Per batch at 80 % (the default)\n")
print("| batch | messages | precision | recall | F1 |")
print("| --- | --- | --- | --- | --- |")
for r in sorted((r for r in det if r["threshold"] == 80), key=lambda r: r["batch"]):
    print(f"| {r['batch']} | {r['messages']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |")

guard = load("guard")
print("\n## Guard, leave one batch out (clause rules and model together)\n")
print("| threshold | false claims caught | honest replies unchanged |")
print("| --- | --- | --- |")
for t in sorted({r["threshold"] for r in guard}):
    rows = [r for r in guard if r["threshold"] == t]
    claims = sum(r["claims"] for r in rows)
    honest = sum(r["honest"] for r in rows)
    caught = sum(r["claims_caught"] * r["claims"] for r in rows)
    kept = sum(r["honest_unchanged"] * r["honest"] for r in rows)
    print(f"| {t} % | {caught / claims:.3f} | {kept / honest:.3f} |")

conv = load("conversations")
print("\n## Conversations, leave one batch out (the model trained without the batch's turns)\n")
print("| batch | conversations | precision | recall | F1 |")
print("| --- | --- | --- | --- | --- |")
tp = fp = fn = 0
for r in conv:
    print(f"| {r['batch']} | {r['conversations']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |")
    if r["batch"][1:].isdigit():
        tp += r["true_positives"]; fp += r["false_positives"]; fn += r["false_negatives"]
p, rc, f = prf(tp, fp, fn)
print(f"| all c batches | | {p:.3f} | {rc:.3f} | {f:.3f} |")
if out:
    with open(f"{out}/detector-tradeoffs.json", "w") as fh:
        json.dump({"measured_by": "scripts/evaluate-models.sh (leave one batch out)", "thresholds": tradeoffs}, fh, indent=2)
        fh.write("\n")
EOF
