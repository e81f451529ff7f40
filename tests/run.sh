#!/bin/bash
# tests/run.sh: the one test entry point behind `make check`.
# Runs the C unit tests, every case table tests/cases/*.t and every scripted
# test tests/t-*.sh, then prints "N passed, N failed".
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$top/bin:$PATH" LC_ALL=C.UTF-8 PT_TOP="$top"
unset PT_BASE_URL PT_API_KEY PT_MODEL PT_JUDGE_BASE_URL PT_JUDGE_API_KEY PT_JUDGE_MODEL PT_CACHE \
      OPENAI_API_KEY OPENAI_BASE_URL ANTHROPIC_API_KEY
export TMPDIR=$(mktemp -d /tmp/pt-check.XXXXXX)
trap 'rm -rf "$TMPDIR"' EXIT
pass=0 fail=0
only=" $* "
[ "$only" = "  " ] && only=
# VALGRIND=1: every tool runs under valgrind; a memory error or a definite
# leak makes it exit 99, which no test expects.
if [ -n "${VALGRIND:-}" ]; then
	mkdir -p $TMPDIR/vg
	for t in "$top"/bin/pt-*; do
		# PT_VG_LEAKS=no: a deliberate fatal exit (status 3) need not free memory
		printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=${PT_VG_LEAKS:-full} --errors-for-leak-kinds=definite "%s" "$@"\n' "$t" > $TMPDIR/vg/$(basename $t)
		chmod +x $TMPDIR/vg/$(basename $t)
	done
	export PATH=$TMPDIR/vg:$PATH
fi

ok()   { pass=$((pass + 1)); [ -n "$VERBOSE" ] && echo "ok   $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/     /' | head -40; }

# One case-table line: name TAB command TAB stdin TAB stdout TAB status TAB stderr.
# stdin, stdout and stderr are printf %b strings (\n, \t, \\); the command runs
# under bash in tests/data with the tools on PATH.
run_table() {
	local t=$1 name cmd in out st err
	while IFS=$'\x1f' read -r name cmd in out st err || [ -n "$name" ]; do
		case $name in ''|'#'*) continue;; esac
		local tag="$(basename "$t" .t): $name"
		local got_out got_err got_st
		(cd "$top/tests/data" && printf '%b' "$in" | bash -o pipefail -c "$cmd" >"$TMPDIR/out" 2>"$TMPDIR/err")
		got_st=$?
		got_out=$(cat "$TMPDIR/out")
		got_err=$(cat "$TMPDIR/err")
		local want_out want_err
		want_out=$(printf '%b' "$out"); want_err=$(printf '%b' "$err")
		if [ "$got_out" != "$want_out" ]; then
			bad "$tag" "stdout: $(printf '%s' "$got_out" | head -c 2000)
want:   $want_out"
		elif [ "$got_st" != "$st" ]; then
			bad "$tag" "exit $got_st, want $st; stderr: $got_err"
		elif [ "$got_err" != "$want_err" ]; then
			bad "$tag" "stderr: $got_err
want:   $want_err"
		else
			ok "$tag"
		fi
	done < <(tr '\t' '\037' < "$t")
}

if [ -z "$only" ] || [[ $only == *" unit "* ]]; then
	out=$(${VALGRIND:+valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite} "$top/tests/unit" 2>&1); st=$?
	p=$(printf '%s\n' "$out" | grep -c '^ok'); f=$(printf '%s\n' "$out" | grep -c '^FAIL')
	pass=$((pass + p)); fail=$((fail + f))
	printf '%s\n' "$out" | grep -v '^ok'
	[ $st -ne 0 ] && [ $f -eq 0 ] && bad "unit tests exited $st"
fi
for t in "$top"/tests/cases/*.t; do
	[ -n "$only" ] && [[ $only != *" $(basename "$t" .t) "* ]] && continue
	run_table "$t"
done
# Scripted tests print "ok NAME" or "FAIL NAME" lines, details indented.
for s in "$top"/tests/t-*.sh; do
	[ -e "$s" ] || continue
	n=$(basename "$s" .sh); n=${n#t-}
	[ -n "$only" ] && [[ $only != *" $n "* ]] && continue
	out=$(cd "$top/tests/data" && bash "$s" 2>&1); st=$?
	p=$(printf '%s\n' "$out" | grep -c '^ok '); f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
	pass=$((pass + p)); fail=$((fail + f))
	printf '%s\n' "$out" | grep -v '^ok '
	if [ $st -ne 0 ] && [ $f -eq 0 ]; then bad "$n: script exited $st"; fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
