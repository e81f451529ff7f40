/* cli.c: the engine's command-line options and environment, shared by
 * pt-infer and pt-judge so both take exactly the same ones. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt.h"

const char engine_cli_help[] =
    "Endpoint:\n"
    "  -m, --model MODEL       model name sent to the server\n"
    "  -u, --url URL           base URL (repeat for replicas)\n"
    "      --api openai|azure|anthropic  wire format (default openai)\n"
    "      --api-version V     Azure api-version (default 2024-12-01-preview)\n"
    "      --api-key-file FILE read the API key from FILE\n"
    "Sampling:\n"
    "      --temperature T     sampling temperature\n"
    "      --max-tokens N      completion token limit (Anthropic default 4096)\n"
    "      --seed N            sampling seed (sample i sends N+i)\n"
    "      --param KEY=JSON    any other request body field\n"
    "      --samples N         N answers per record (default 1)\n"
    "Load and faults:\n"
    "  -j, --jobs N            requests in flight (default 8)\n"
    "  -k, --keep-order        write records in input order\n"
    "      --retries N         retries per request (default 6)\n"
    "      --retry-after-cap S longest Retry-After honoured (default 300)\n"
    "      --timeout S         per attempt (default 600)\n"
    "      --rpm N             at most N requests started per minute\n"
    "Cache and resume:\n"
    "      --cache DIR         response cache (default $PT_CACHE)\n"
    "      --offline           answer from the cache only\n"
    "      --resume FILE       skip requests already done in FILE\n"
    "Progress:\n"
    "      --progress          progress line on stderr even when not a terminal\n"
    "      --no-progress       no progress line\n";

void
engine_cli_init(struct engine_cli *c)
{
	memset(c, 0, sizeof *c);
	c->o.api = API_OPENAI;
	c->o.urls = c->urls;
	c->o.api_version = "2024-12-01-preview";
	c->o.jobs = 8;
	c->o.retries = 6;
	c->o.retry_after_cap = 300;
	c->o.timeout = 600;
	c->samples = 1;
}

int
engine_cli_opt(struct engine_cli *c, int opt, const char *arg)
{
	switch (opt) {
	case 'j': c->o.jobs = (int)parse_long("--jobs", arg, 1, 4096); break;
	case 'k': c->keep_order = 1; break;
	case 'm': c->o.model = arg; break;
	case 'u':
		if (c->o.nurls == 64)
			usage_error("--url: at most 64 replicas");
		c->urls[c->o.nurls++] = (char *)arg;
		break;
	case OPT_API:
		if ((c->o.api = api_parse(arg)) < 0)
			usage_error("--api: expected openai, azure or anthropic, got '%s'", arg);
		break;
	case OPT_API_VERSION: c->o.api_version = arg; break;
	case OPT_KEY_FILE: c->key_file = arg; break;
	case OPT_TEMPERATURE:
		c->samp.temperature = parse_double("--temperature", arg, 0, 100);
		c->samp.has_temperature = 1;
		break;
	case OPT_MAX_TOKENS:
		c->samp.max_tokens = parse_long("--max-tokens", arg, 1, 10000000);
		c->samp.has_max_tokens = 1;
		break;
	case OPT_SEED:
		c->samp.seed = parse_long("--seed", arg, 0, 1L << 53);
		c->samp.has_seed = 1;
		break;
	case OPT_PARAM: sampling_param(&c->samp, arg); break;
	case OPT_SAMPLES: c->samples = parse_long("--samples", arg, 1, 1000); break;
	case OPT_RETRIES: c->o.retries = (int)parse_long("--retries", arg, 0, 100); break;
	case OPT_RETRY_AFTER_CAP: c->o.retry_after_cap = parse_double("--retry-after-cap", arg, 0, 86400); break;
	case OPT_TIMEOUT: c->o.timeout = parse_double("--timeout", arg, 0.001, 86400); break;
	case OPT_RPM: c->o.rpm = parse_double("--rpm", arg, 0.001, 1e9); break;
	case OPT_CACHE: c->o.cache_dir = arg; break;
	case OPT_OFFLINE: c->o.offline = 1; break;
	case OPT_RESUME: c->resume = arg; break;
	case OPT_PROGRESS: c->o.progress = 1; c->progress_set = 1; break;
	case OPT_NO_PROGRESS: c->o.progress = 0; c->progress_set = 1; break;
	case OPT_VERSION: print_version();
	default: return 0;
	}
	return 1;
}

static const char *
first_env(const char *const *names)
{
	for (; *names; names++) {
		const char *v = getenv(*names);
		if (v && *v)
			return v;
	}
	return NULL;
}

void
engine_cli_finish(struct engine_cli *c, int judge)
{
	int anth = c->o.api == API_ANTHROPIC;
	const char *judge_url[] = { "PT_JUDGE_BASE_URL", "PT_BASE_URL", anth ? NULL : "OPENAI_BASE_URL", NULL };
	const char *const *url_env = judge ? judge_url : judge_url + 1;
	const char *judge_model[] = { "PT_JUDGE_MODEL", "PT_MODEL", NULL };
	const char *const *model_env = judge ? judge_model : judge_model + 1;
	const char *judge_key[] = { "PT_JUDGE_API_KEY", "PT_API_KEY", anth ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY", NULL };
	const char *const *key_env = judge ? judge_key : judge_key + 1;

	if (c->o.nurls == 0) {
		const char *u = first_env(url_env);
		if (!u && c->o.api == API_AZURE)
			usage_error("--api azure needs -u https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT");
		c->urls[c->o.nurls++] = (char *)(u ? u : anth ? "https://api.anthropic.com/v1" : "http://localhost:8000/v1");
	}
	for (int i = 0; i < c->o.nurls; i++)
		if (strncmp(c->urls[i], "http://", 7) != 0 && strncmp(c->urls[i], "https://", 8) != 0)
			usage_error("--url: only http:// and https:// URLs, not '%s'", c->urls[i]);
	if (!c->o.model)
		c->o.model = first_env(model_env);
	if (!c->o.model || !*c->o.model)
		usage_error("no model: give -m MODEL or set %s", judge ? "PT_JUDGE_MODEL" : "PT_MODEL");
	if (!c->o.cache_dir) {
		const char *d = getenv("PT_CACHE");
		c->o.cache_dir = d && *d ? d : NULL;
	}
	c->key = api_key(c->key_file, key_env);
	if (!c->key && !c->o.offline && c->o.api != API_OPENAI) {
		fprintf(stderr, "%s: no API key for --api %s: set %s or use --api-key-file\n", progname,
		    api_name(c->o.api), key_env[0]);
		exit(PT_EXIT_USAGE);
	}
	c->o.key = c->key;
	if (!c->progress_set)
		c->o.progress = isatty(2);
}

void
engine_cli_free(struct engine_cli *c)
{
	if (c->key) {
		memset(c->key, 0, strlen(c->key));
		free(c->key);
	}
	free(c->samp.params.p);
}

void
resume_load(const char *file, const char *expr, struct strset *done)
{
	char *files[] = { (char *)file };
	if (access(file, F_OK) != 0)
		return;   /* a first run: nothing done yet */
	struct expr *e = expr_new(expr, jv_object(), "--resume");
	struct reader *rd = rdr_open(files, 1);
	struct rec r;
	while (rdr_next(rd, &r) == RDR_REC) {
		if (r.err || !r.is_object)
			continue;   /* an interrupted run may end in half a line */
		jv v = rec_parse(&r);
		expr_start(e, v);
		jv h;
		while (jv_is_valid(h = expr_next(e))) {
			if (jv_get_kind(h) == JV_KIND_STRING)
				strset_add(done, jv_string_value(h));
			jv_free(h);
		}
		jv_free(h);
	}
	if (rdr_failed(rd)) {
		fprintf(stderr, "%s: --resume %s: cannot read it\n", progname, file);
		exit(PT_EXIT_USAGE);
	}
	rdr_close(rd);
	expr_free(e);
}

void
buf_json_str_or_null(struct buf *b, const char *s)
{
	if (s)
		json_quote(b, s, strlen(s));
	else
		buf_adds(b, "null");
}
