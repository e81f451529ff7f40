#!/bin/sh
# The judge step at batch price: every judgement through the provider's
# batch API (half the price, answered within 24 hours), then what the batch
# left unscored (a request that failed, or a batch that expired) asked live.
# usage: judge-batch.sh IN OUT [pt-judge options...]
#   e.g. OPENAI_API_KEY=... judge-batch.sh med42_dx.ndjson graded.ndjson \
#            -m gpt-5 -u https://api.openai.com/v1 --cache .pt-cache
# The batch ids are kept in OUT.batch: after a kill, or to wait again for a
# batch still running, run the same command; nothing is submitted twice.
set -u
in=$1 out=$2
shift 2
pt-judge --batch -o "$out" "$@" < "$in" && exit 0
[ -s "$out" ] || exit 1   # interrupted before any record was written: run again
echo "judge-batch.sh: asking live what the batch left unscored" >&2
pt-judge --resume "$out" -o "$out" "$@" < "$in"
