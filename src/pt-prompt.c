/* pt-prompt: render chat prompts from templates into each record's `messages`. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* The vignette's two prompts (step 2), exactly: no system message, one user message. */
static const struct builtin {
	const char *name, *desc, *text;
} builtins[] = {
	{ "diagnostic", "differential diagnosis and reasoning (the vignette's diagnostic loop)",
	  "You are an expert clinician. Given the following case, provide your differential diagnosis and reasoning.\n"
	  "\n"
	  "Case: {{ .case_vignette }}\n"
	  "\n"
	  "Question: {{ .question_text }}" },
	{ "management", "answer a case-specific management question (the vignette's management loop)",
	  "You are an expert clinician.\n"
	  "\n"
	  "Case: {{ .case_vignette }}\n"
	  "\n"
	  "Question: {{ .question_text }}\n"
	  "\n"
	  "Provide your answer." },
};

static void __attribute__((noreturn))
usage(void)
{
	printf("usage: pt-prompt [-t NAME|FILE] [--system TEXT] [--user TEXT] [--arg NAME VALUE]\n"
	    "                 [--argjson NAME JSON] [--batch -m MODEL [--url PATH] [--param KEY=JSON]]\n"
	    "                 [FILE...]\n"
	    "       pt-prompt -l | --show NAME\n"
	    "Add `messages` (OpenAI chat form) to each record, rendered from a template\n"
	    "whose {{ EXPR }} placeholders are jq expressions on the record.\n"
	    "\n"
	    "  -t, --template NAME|FILE  a built-in template (see -l) or a template file\n"
	    "      --system TEXT      inline system template\n"
	    "      --user TEXT        inline user template\n"
	    "      --arg NAME VALUE   bind $NAME to the string VALUE\n"
	    "      --argjson NAME JSON  bind $NAME to the JSON value\n"
	    "  -l, --list             list the built-in templates\n"
	    "      --show NAME        print a built-in template\n"
	    "      --batch            write OpenAI Batch API request lines instead of records\n"
	    "  -m, --model MODEL      model for --batch (default $PT_MODEL)\n"
	    "      --url PATH         request URL for --batch (default /v1/chat/completions)\n"
	    "      --param KEY=JSON   add a body field to --batch requests\n"
	    "  -h, --help             show this help and exit\n"
	    "      --version          show the version and exit\n"
	    "\n"
	    "Exit status: 0 all records rendered, 1 some failed, 2 usage error, 3 write error, 4 out of memory.\n"
	    "See pt-prompt(1).\n");
	exit(PT_EXIT_OK);
}

static const struct builtin *
find_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

/* Emits a record that could not be rendered: the record itself when it is an
 * object, else its text in `_input`; `prompt_error` says why. */
static void
emit_failed(const struct rec *r, const char *why, const char *const *drop)
{
	struct buf add = { 0 };
	buf_adds(&add, "\"prompt_error\":");
	json_quote(&add, why, strlen(why));
	struct buf b = { 0 };
	splice_record(&b, r->p, r->len, r->is_object && !r->err, drop, add.p, add.len);
	out_line(b.p, b.len);
	free(b.p);
	free(add.p);
}

/* The messages array of record r into msgs (text is scratch space), or the
 * reason it cannot be rendered (caller frees). */
static char *
render(struct tmpl *tsys, struct tmpl *tuser, int has_user, const struct rec *r, jv *parsed, struct buf *msgs,
    struct buf *text)
{
	char *why = NULL;
	msgs->len = 0;
	buf_addc(msgs, '[');
	for (int k = 0; k < 2; k++) {
		struct tmpl *t = k == 0 ? tsys : tuser;
		if (!t->n && !(k == 1 && has_user))
			continue;
		text->len = 0;
		if ((why = tmpl_render(t, r, parsed, text)) != NULL)
			return why;
		if (msgs->len > 1)
			buf_addc(msgs, ',');
		buf_adds(msgs, k == 0 ? "{\"role\":\"system\",\"content\":" : "{\"role\":\"user\",\"content\":");
		json_quote(msgs, text->p ? text->p : "", text->len);
		buf_addc(msgs, '}');
	}
	buf_addc(msgs, ']');
	return NULL;
}

/* --batch: r's .id as the custom_id (*idtext, caller frees), unique in the
 * run; or the reason there is none (caller frees). */
static char *
batch_id(const struct path *idpath, const struct rec *r, struct strset *ids, char **idtext)
{
	const char *v;
	size_t n;
	*idtext = NULL;
	if (path_get(idpath, r->p, r->p + r->len, r->ix, &v, &n) == PATH_FOUND) {
		struct buf s = { 0 };
		if (*v == '"')
			json_unquote(v, v + n, &s);
		else if (*v == '-' || (*v >= '0' && *v <= '9'))
			buf_add(&s, v, n);
		if (s.len)
			*idtext = buf_cstr(&s);
		else
			free(s.p);
	}
	if (!*idtext)
		return estrdup("--batch: .id is missing or not a string or number");
	if (strset_add(ids, *idtext))
		return NULL;
	struct buf m = { 0 };
	buf_printf(&m, "--batch: duplicate custom_id '%s'", *idtext);
	free(*idtext);
	*idtext = NULL;
	return buf_cstr(&m);
}

/* One line of an OpenAI batch input file. */
static void
batch_line(struct buf *line, const char *idtext, const char *url, const char *model, const struct buf *msgs,
    const struct buf *params)
{
	line->len = 0;
	buf_adds(line, "{\"custom_id\":");
	json_quote(line, idtext, strlen(idtext));
	buf_adds(line, ",\"method\":\"POST\",\"url\":");
	json_quote(line, url, strlen(url));
	buf_adds(line, ",\"body\":{\"model\":");
	json_quote(line, model, strlen(model));
	buf_adds(line, ",\"messages\":");
	buf_add(line, msgs->p, msgs->len);
	buf_add(line, params->p ? params->p : "", params->len);
	buf_adds(line, "}}");
	out_line(line->p, line->len);
}

/* -t NAME|FILE: a built-in template, else a file's sections; exits 2 when
 * the file cannot be read. */
static void
load_template(const char *tname, char **sys, char **user)
{
	const struct builtin *b = find_builtin(tname);
	if (b) {
		*user = estrdup(b->text);
		return;
	}
	char *text = read_file(tname, NULL);
	if (!text) {
		die(PT_EXIT_USAGE, "%s: %s", tname, strerror(errno));
	}
	split_sections(text, sys, user);
	free(text);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arg", required_argument, NULL, 'A' },
		{ "argjson", required_argument, NULL, 'J' },
		{ "batch", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ "list", no_argument, NULL, 'l' },
		{ "model", required_argument, NULL, 'm' },
		{ "param", required_argument, NULL, 'P' },
		{ "show", required_argument, NULL, 'S' },
		{ "system", required_argument, NULL, 's' },
		{ "template", required_argument, NULL, 't' },
		{ "url", required_argument, NULL, 'U' },
		{ "user", required_argument, NULL, 'u' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *tname = NULL, *sys_text = NULL, *user_text = NULL, *model = getenv("PT_MODEL");
	const char *url = "/v1/chat/completions";
	int batch = 0, c;
	jv args = jv_object();
	struct sampling samp = { 0 };   /* only its --param members */

	pt_init(argv);
	while ((c = getopt_long(argc, argv, "hlm:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'A':
		case 'J':
			args_option(&args, c == 'J', argc, argv);
			break;
		case 'B': batch = 1; break;
		case 'h': usage();
		case 'l':
			for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
				printf("%-12s %s\n", builtins[i].name, builtins[i].desc);
			jv_free(args);
			free(samp.params.p);
			return PT_EXIT_OK;
		case 'm': model = optarg; break;
		case 'P': sampling_param(&samp, optarg); break;
		case 'S': {
			const struct builtin *b = find_builtin(optarg);
			if (!b)
				usage_error("no built-in template '%s' (see pt-prompt -l)", optarg);
			printf("%s\n", b->text);
			jv_free(args);
			free(samp.params.p);
			return PT_EXIT_OK;
		}
		case 's': sys_text = optarg; break;
		case 't': tname = optarg; break;
		case 'U': url = optarg; break;
		case 'u': user_text = optarg; break;
		case 'V': print_version();
		default: usage_error("unknown option");
		}
	}
	char *sys = NULL, *user = NULL;
	const char *where = tname ? tname : "template";
	if (tname)
		load_template(tname, &sys, &user);
	if (sys_text) {
		free(sys);
		sys = estrdup(sys_text);
	}
	if (user_text) {
		free(user);
		user = estrdup(user_text);
	}
	if (!sys && !user)
		usage_error("no template: give -t NAME|FILE, --user or --system");
	if (batch && (!model || !*model))
		usage_error("--batch needs -m MODEL (or PT_MODEL)");
	size_t ul = strlen(url);
	if (batch && ul >= 9 && strcmp(url + ul - 9, "/messages") == 0)
		usage_error("--batch writes OpenAI chat bodies, which Anthropic's messages API does not take; "
		    "pt-infer --api anthropic --batch sends a Message Batch itself");

	struct tmpl tsys = { 0 }, tuser = { 0 };
	if (sys)
		tmpl_compile(&tsys, sys, args, sys_text ? "--system" : where);
	if (user)
		tmpl_compile(&tuser, user, args, user_text ? "--user" : where);
	jv_free(args);

	static const char *const drop[] = { "messages", "prompt_error", NULL };
	struct reader *rd = rdr_open(argv + optind, argc - optind);
	struct rec r;
	struct buf msgs = { 0 }, text = { 0 }, line = { 0 };
	struct strset ids = { 0 };
	struct path *idpath = path_parse(".id");
	unsigned long nfail = 0;
	while (rdr_next(rd, &r) == RDR_REC) {
		char *why = NULL;
		jv parsed = jv_invalid();
		if (r.err) {
			struct buf m = { 0 };
			buf_printf(&m, "invalid JSON: %s", r.err);
			why = buf_cstr(&m);
		} else if (!r.is_object)
			why = estrdup("not an object");
		if (!why)
			why = render(&tsys, &tuser, user != NULL, &r, &parsed, &msgs, &text);
		char *idtext = NULL;
		if (!why && batch)
			why = batch_id(idpath, &r, &ids, &idtext);
		jv_free(parsed);
		if (why) {
			rec_warn(&r, "%s", why);
			if (!batch)
				emit_failed(&r, why, drop);
			free(why);
			nfail++;
			continue;
		}
		if (batch) {
			batch_line(&line, idtext, url, model, &msgs, &samp.params);
			free(idtext);
		} else {
			struct buf add = { 0 };
			buf_adds(&add, "\"messages\":");
			buf_add(&add, msgs.p, msgs.len);
			out_spliced(r.p, r.len, drop, add.p, add.len);
			free(add.p);
		}
	}
	out_close();
	int nbadin = rdr_failed(rd);
	strset_free(&ids);
	path_free(idpath);
	rdr_close(rd);
	tmpl_free(&tsys);
	tmpl_free(&tuser);
	free(sys);
	free(user);
	free(msgs.p);
	free(text.p);
	free(line.p);
	free(samp.params.p);
	return fail_summary(nfail, nbadin);
}
