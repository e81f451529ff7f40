/* pt-infer: send each record's messages to a model endpoint, many in flight. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static void __attribute__((noreturn))
usage(void)
{
	printf("usage: pt-infer -m MODEL [-u URL]... [--api openai|azure|anthropic] [-j N] [-k]\n"
	    "                [--label NAME] [--temperature T] [--max-tokens N]\n"
	    "                [--max-completion-tokens N] [--seed N]\n"
	    "                [--param KEY=JSON] [--retries N] [--retry-after-cap S] [--timeout S]\n"
	    "                [--rpm N] [--tpm N] [--max-wait S]\n"
	    "                [--cache DIR] [--offline] [--resume FILE] [-o FILE] [--samples N]\n"
	    "                [--api-key-file FILE] [--cacert FILE] [--progress]\n"
	    "                [--prices FILE] [--budget AMOUNT [--budget-file FILE]] [--estimate] [FILE...]\n"
	    "Send each record's `messages` (see pt-prompt) to a chat endpoint and write the\n"
	    "record back with `response`, `model` (the label), `infer` (provenance) and\n"
	    "`source` (the model, response and grades it had before).\n"
	    "\n"
	    "      --label NAME        value of `model` in the output (default MODEL)\n"
	    "%s"
	    "  -h, --help              show this help and exit\n"
	    "      --version           show the version and exit\n"
	    "\n"
	    "Environment: PT_BASE_URL, PT_MODEL, PT_API_KEY, PT_CACHE, OPENAI_API_KEY,\n"
	    "OPENAI_BASE_URL, ANTHROPIC_API_KEY, PT_PRICES. Exit status: 0 all records answered,\n"
	    "1 some failed, 2 usage or configuration error, 3 write error, 4 out of memory,\n"
	    "5 --budget stopped some. See pt-infer(1).\n",
	    engine_cli_help);
	exit(PT_EXIT_OK);
}

/* One input record, shared by its samples' jobs. */
struct record {
	char *text;
	size_t len;
	char *file;
	long line;
	int refs;
	char id[65];   /* its identity for --resume */
};

struct ijob {
	struct job j;
	struct record *rec;
	long sample, seq;
};

static struct engine_cli cli;
static struct resume rs;   /* --resume FILE */
static const char *label;
static unsigned long nbad, nabandoned;
static struct engine *eng;
static struct path *mpath;   /* .messages */
static long nlines, skipped;   /* output lines so far; answers written again from --resume */

/* The fields a new answer replaces; their old values go to `source`. */
static const char *const owned[] = { "response", "model", "grade", "predicted_score", "justification",
	"infer", "source", NULL };
static const char *const moved[] = { "model", "response", "grade", "predicted_score", "justification", NULL };
/* A record's identity for --resume: what an answer leaves of it (its moved
 * fields come back from `source`). */
static const char *const replaced[] = { "infer", "source", NULL };

static void
add_infer(struct buf *b, const struct job *j, long sample)
{
	buf_adds(b, "\"infer\":{\"status\":");
	buf_json_str_or_null(b, status_names[j->status]);
	if (j->error) {
		buf_adds(b, ",\"error\":");
		buf_json_str_or_null(b, j->error);
	}
	buf_adds(b, ",\"http_status\":");
	if (j->http_status)
		buf_printf(b, "%ld", j->http_status);
	else
		buf_adds(b, "null");
	buf_printf(b, ",\"attempts\":%d,\"latency_ms\":", j->attempts);
	buf_num(b, j->latency_ms);
	buf_printf(b, ",\"cached\":%s,\"model\":", j->cached ? "true" : "false");
	buf_json_str_or_null(b, cli.o.model);
	buf_adds(b, ",\"served_model\":");
	buf_json_str_or_null(b, j->reply.served_model);
	buf_adds(b, ",\"api\":");
	buf_json_str_or_null(b, api_name(cli.o.api));
	buf_adds(b, ",\"base_url\":");
	buf_json_str_or_null(b, j->base_url);
	buf_adds(b, ",\"finish_reason\":");
	buf_json_str_or_null(b, j->reply.finish_reason);
	buf_reply_text(b, &j->reply, j->status);
	buf_adds(b, ",\"usage\":");
	buf_usage(b, &j->reply);
	if (cli.o.prices) {
		buf_adds(b, ",\"cost\":");
		buf_num(b, j->cost);
	}
	buf_adds(b, ",\"request_hash\":");
	buf_json_str_or_null(b, j->hash[0] ? j->hash : NULL);
	if (j->batch_id) {
		buf_adds(b, ",\"batch_id\":");
		json_quote(b, j->batch_id, strlen(j->batch_id));
	}
	buf_printf(b, ",\"sample\":%ld}", sample);
}

/* The record with its answer: old model/response/grades moved to `source`. */
static void
write_answer(const struct record *rec, const struct job *j, long sample, long seq)
{
	struct buf add = { 0 }, line = { 0 };
	const char *e = rec->text + rec->len, *it = NULL;
	struct json_member m;
	int n = 0;
	buf_adds(&add, "\"source\":{");
	while (json_members(rec->text, e, &it, &m))
		for (const char *const *k = moved; *k; k++)
			if (json_key_eq(m.key, m.keylen, *k, strlen(*k))) {
				buf_adds(&add, n++ ? ",\"" : "\"");
				buf_adds(&add, *k);
				buf_adds(&add, "\":");
				buf_add_compact(&add, m.val, m.vallen);
			}
	buf_adds(&add, "},\"response\":");
	buf_json_str_or_null(&add, j->status == ST_OK ? j->reply.text : NULL);
	buf_adds(&add, ",\"model\":");
	buf_json_str_or_null(&add, label);
	buf_addc(&add, ',');
	add_infer(&add, j, sample);
	splice_object(&line, rec->text, rec->len, owned, add.p, add.len);
	resume_supersede(&rs, rec->id, j->hash);
	order_out(cli.keep_order, seq, line.p, line.len);
	free(line.p);
	free(add.p);
}

static void
record_unref(struct record *rec)
{
	if (--rec->refs == 0) {
		free(rec->text);
		free(rec->file);
		free(rec);
	}
}

static void
job_done(struct job *jb)
{
	struct ijob *ij = (struct ijob *)jb;
	struct record *rec = ij->rec;
	if (jb->abandoned) {
		nabandoned++;
		if (cli.keep_order)
			order_skip(ij->seq);
	} else {
		/* a batch's input (written there) and the budget are said once, in the totals */
		if (jb->status != ST_OK && jb->status != ST_BUDGET && cli.o.batch != BATCH_INPUT) {
			struct rec r = { .file = rec->file, .line = rec->line };
			rec_warn(&r, "%s: %s", status_names[jb->status], jb->error ? jb->error : "");
		}
		write_answer(rec, jb, ij->sample, ij->seq);
	}
	job_clear(jb);
	free(ij);
	record_unref(rec);
}

/* A record that cannot be sent still comes out, with status bad_input. */
static void
write_bad(struct engine *e, const struct rec *r, const char *why, long seq)
{
	struct buf add = { 0 }, line = { 0 };
	struct job j = { 0 };
	j.status = ST_BAD_INPUT;
	j.error = (char *)why;
	reply_free(&j.reply);   /* no usage */
	rec_warn(r, "%s", why);
	add_infer(&add, &j, 0);
	splice_record(&line, r->p, r->len, r->is_object && !r->err, NULL, add.p, add.len);
	order_out(cli.keep_order, seq, line.p, line.len);
	free(line.p);
	free(add.p);
	engine_count_failure(e);
	nbad++;
}

/* One input record: its samples sent, written again (--resume), or written
 * with bad_input; the number of requests it adds to the run. */
static long
take_record(const struct rec *r)
{
	const char *mv, *err = NULL;
	size_t mlen;
	char *body = NULL;
	if (r->err) {
		struct buf m = { 0 };
		buf_printf(&m, "invalid JSON: %s", r->err);
		write_bad(eng, r, buf_cstr(&m), nlines++);
		free(m.p);
		return 1;
	}
	if (!r->is_object) {
		write_bad(eng, r, "not an object", nlines++);
		return 1;
	}
	if (path_get(mpath, r->p, r->p + r->len, r->ix, &mv, &mlen) != PATH_FOUND) {
		write_bad(eng, r, "no messages (render them with pt-prompt)", nlines++);
		return 1;
	}
	if (!(body = wire_body(cli.o.api, cli.o.model, mv, mlen, &cli.samp, 0, &err))) {
		write_bad(eng, r, err, nlines++);
		return 1;
	}
	free(body);
	struct record *rec = ecalloc(1, sizeof *rec);
	rec->text = estrndup(r->p, r->len);
	rec->len = r->len;
	rec->file = estrdup(r->file);
	rec->line = r->line;
	rec->refs = 1;
	if (rs.n)
		resume_id(rec->text, rec->len, replaced, NULL, rec->id);
	long asked = 0;
	for (long s = 0; s < cli.samples; s++) {
		struct ijob *ij = ecalloc(1, sizeof *ij);
		ij->rec = rec;
		ij->sample = s;
		ij->seq = nlines++;
		ij->j.body = wire_body(cli.o.api, cli.o.model, mv, mlen, &cli.samp, s, &err);
		ij->j.done = job_done;
		request_hash(&cli.o, ij->j.body, s, ij->j.hash);
		size_t dlen;
		const char *d = resume_take(&rs, rec->id, &ij->j.hash, 1, &dlen);
		if (d) {
			/* answered in the --resume file already: its line again */
			order_out(cli.keep_order, ij->seq, d, dlen);
			skipped++;
			free(ij->j.body);
			free(ij);
			continue;
		}
		rec->refs++;
		asked++;
		engine_submit(eng, &ij->j);
	}
	record_unref(rec);
	return asked;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		ENGINE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "label", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	pt_init(argv);
	engine_cli_init(&cli);
	while ((c = getopt_long(argc, argv, ENGINE_SHORTOPTS "h", opts, NULL)) != -1) {
		if (engine_cli_opt(&cli, c, optarg))
			continue;
		switch (c) {
		case 'h': usage();
		case 'L': label = optarg; break;
		default: usage_error("unknown option");
		}
	}
	engine_cli_finish(&cli, 0);
	if (!label)
		label = cli.o.model;
	cli.o.what = "records";

	resume_load(&rs, cli.resume, ".infer | [.request_hash, .status == \"ok\"]", owned, "source");
	eng = engine_new(&cli.o);
	struct reader *rd = rdr_open(argv + optind, argc - optind);
	mpath = path_parse(".messages");
	engine_run(eng, rd, take_record);
	long kept = pt_interrupted ? resume_rest(&rs) : 0;   /* records not reached keep what the file had */
	out_close();
	output_commit();
	if (cli.o.estimate)
		engine_estimate(eng);
	else
		engine_totals(eng);
	int status = cli.o.estimate ? PT_EXIT_OK : engine_exit(eng);
	if (rdr_failed(rd) && status == PT_EXIT_OK)
		status = PT_EXIT_FAIL;
	if (skipped)
		warn("%ld answers written from %s, not asked again", skipped, cli.resume);
	if (pt_interrupted)
		resume_interrupted(cli.resume, nabandoned, kept, engine_input_ended(eng));
	rdr_close(rd);
	path_free(mpath);
	engine_free(eng);
	resume_free(&rs);
	engine_cli_free(&cli);
	return pt_interrupted && status == PT_EXIT_OK ? PT_EXIT_FAIL : status;
}
