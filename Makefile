# pt: benchmark clinical language models against physician-graded baselines.
.POSIX:
include config.mk

TOOLS = bin/pt-filter bin/pt-prompt bin/pt-infer bin/pt-judge bin/pt-stats bin/pt-plot bin/pt-report
LIBOBJ = lib/alloc.o lib/buf.o lib/map.o lib/msg.o lib/file.o lib/json.o lib/rec.o lib/blocks.o lib/out.o lib/path.o \
         lib/expr.o lib/wire.o lib/cache.o lib/pace.o lib/engine.o lib/batch.o lib/cli.o lib/resume.o lib/judge.o lib/rubric.o \
         lib/price.o lib/table.o lib/rubrics.o lib/group.o lib/stats.o lib/raters.o lib/template.o lib/plot.o lib/pred.o
# the built-in rubrics, in the order --task auto offers them
RUBRICS = rubrics/diagnostic_reasoning.rubric rubrics/management_reasoning.rubric rubrics/r_idea.rubric \
          rubrics/cpc_bond.rubric rubrics/cpc_management.rubric
MAN1 = man/pt-filter.1 man/pt-prompt.1 man/pt-infer.1 man/pt-judge.1 man/pt-stats.1 man/pt-plot.1 man/pt-report.1
MAN7 = man/pt.7

all: $(TOOLS)

lib/libpt.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(LIBOBJ) $(TOOLS) tests/unit: lib/pt.h lib/engine.h lib/net.h lib/judge.h lib/stats.h lib/table.h
lib/plot.o bin/pt-plot: lib/plot.h
lib/pred.o bin/pt-filter: lib/pred.h
lib/rubrics.c: $(RUBRICS) lib/embed.sh
	sh lib/embed.sh $(RUBRICS) > $@

.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

bin/pt-filter: src/pt-filter.c
bin/pt-prompt: src/pt-prompt.c
bin/pt-infer: src/pt-infer.c
bin/pt-judge: src/pt-judge.c
bin/pt-stats: src/pt-stats.c
bin/pt-plot: src/pt-plot.c
bin/pt-report: src/pt-report.c
$(TOOLS): lib/libpt.a
	@mkdir -p bin
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ src/$$(basename $@).c lib/libpt.a $(LDFLAGS) $(LIBS)

tests/unit: tests/unit.c lib/libpt.a
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ tests/unit.c lib/libpt.a $(LDFLAGS) $(LIBS)

# `make check` and `make demo` first install missing Debian packages.
deps:
	@sh tests/deps.sh

check:
	@sh tests/deps.sh check
	@$(MAKE) all tests/unit
	@bash tests/run.sh

# the whole workflow on the shipped sample data, offline
demo: deps
	@$(MAKE) -s all
	@$(MAKE) -s -C examples/brodeur demo
	@$(MAKE) -s -C examples/judges demo

# the unit tests, case tables and bad-input corpus under valgrind
check-valgrind: all tests/unit
	@command -v valgrind >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q valgrind >/dev/null; }
	@VALGRIND=1 LONG_LINE=5000000 bash tests/run.sh unit pt-filter pt-prompt pt-stats bad-input

# 20,000 records through pt-infer and pt-judge against a faulty server
soak: all
	@PT_TOP=$$(pwd) PATH=$$(pwd)/bin:$$PATH TMPDIR=$$(mktemp -d) bash tests/soak.sh 20000

# libFuzzer targets (clang): FUZZ_TIME seconds each, default 600
fuzz:
	@bash tests/fuzz/run.sh

bench: all
	@bash tests/bench/run.sh

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 $(DESTDIR)$(MANPREFIX)/man7
	cp -f $(TOOLS) $(DESTDIR)$(PREFIX)/bin/
	cp -f $(MAN1) $(DESTDIR)$(MANPREFIX)/man1/
	cp -f $(MAN7) $(DESTDIR)$(MANPREFIX)/man7/

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(PREFIX)/$$t; done
	for m in $(MAN1); do rm -f $(DESTDIR)$(MANPREFIX)/man1/$$(basename $$m); done
	rm -f $(DESTDIR)$(MANPREFIX)/man7/pt.7

clean:
	rm -f lib/*.o lib/libpt.a lib/rubrics.c $(TOOLS) tests/unit
	rm -rf tests/out

.PHONY: all deps check check-valgrind demo soak fuzz bench install uninstall clean
