/* cli.c: the engine's command-line options and environment, shared by
 * pt-infer and pt-judge so both take exactly the same ones. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "net.h"

const char engine_cli_help[] =
    "Endpoint:\n"
    "  -m, --model MODEL       model name sent to the server\n"
    "  -u, --url URL           base URL (repeat for replicas)\n"
    "      --api openai|azure|anthropic  wire format (default openai)\n"
    "      --api-version V     Azure api-version (default 2025-04-01-preview)\n"
    "      --api-key-file FILE read the API key from FILE\n"
    "      --cacert FILE       trust the CA certificates in FILE (a hospital's proxy; default\n"
    "                          $CURL_CA_BUNDLE, $SSL_CERT_FILE, else the system's)\n"
    "Sampling:\n"
    "      --temperature T     sampling temperature\n"
    "      --max-tokens N      completion token limit, as max_tokens (Anthropic default 4096;\n"
    "                          vLLM, llama.cpp, Ollama)\n"
    "      --max-completion-tokens N  as max_completion_tokens (OpenAI and Azure\n"
    "                          reasoning models: GPT-5, o-series; vLLM)\n"
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
    "      --tpm N             at most N tokens per minute (estimated, then corrected)\n"
    "      --max-wait S        how long a record waits on a server that asks to (default 1800)\n"
    "Cache and resume:\n"
    "      --cache DIR         response cache (default $PT_CACHE)\n"
    "      --offline           answer from the cache only\n"
    "      --resume FILE       write again what FILE has done, ask the rest\n"
    "  -o, --output FILE       write to FILE, replaced whole when done\n"
    "Batch (half price, within 24 hours; see BATCH in the man page):\n"
    "      --batch             ask through the provider's batch API and wait for it\n"
    "      --batch-state FILE  where the batch ids are kept (default OUTPUT.batch)\n"
    "      --batch-poll S      seconds between polls (default 30)\n"
    "      --batch-size N      requests per batch at most (default the provider's limit)\n"
    "      --batch-input FILE  write the requests to FILE as OpenAI batch input, ask nothing\n"
    "      --from-batch-output FILE  answer from FILE, a batch run's output (vLLM run-batch)\n"
    "Cost (see COST in the man page):\n"
    "      --prices FILE       dollars per million tokens by model: llm-prices JSON or a TSV (default $PT_PRICES)\n"
    "      --budget AMOUNT     never start a request that could pass AMOUNT dollars spent (needs --prices)\n"
    "      --budget-file FILE  the budget shared by every run naming FILE (locked)\n"
    "      --estimate          say what the run would send and cost; send nothing\n"
    "Progress:\n"
    "      --progress          progress line on stderr even when not a terminal\n"
    "      --no-progress       no progress line\n";

void
engine_cli_init(struct engine_cli *c)
{
	memset(c, 0, sizeof *c);
	c->o.api = API_OPENAI;
	c->o.urls = c->urls;
	c->o.api_version = "2025-04-01-preview";   /* the first for GPT-5 and o-series */
	c->o.jobs = 8;
	c->o.retries = 6;
	c->o.retry_after_cap = 300;
	c->o.timeout = 600;
	c->o.max_wait = 1800;
	c->o.batch_poll = 30;
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
	case OPT_MAX_COMPLETION_TOKENS:
		c->samp.max_completion_tokens = parse_long("--max-completion-tokens", arg, 1, 10000000);
		c->samp.has_max_completion_tokens = 1;
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
	case OPT_TPM: c->o.tpm = parse_double("--tpm", arg, 1, 1e12); break;
	case OPT_MAX_WAIT: c->o.max_wait = parse_double("--max-wait", arg, 0, 7 * 86400); break;
	case OPT_CACHE: c->o.cache_dir = arg; break;
	case OPT_CACERT: c->o.cacert = arg; break;
	case OPT_PRICES: c->o.prices = arg; break;
	case OPT_BUDGET: c->o.budget = parse_double("--budget", arg, 1e-9, 1e12); break;
	case OPT_BUDGET_FILE: c->o.budget_file = arg; break;
	case OPT_ESTIMATE: c->o.estimate = 1; break;
	case OPT_OFFLINE: c->o.offline = 1; break;
	case OPT_RESUME: c->resume = arg; break;
	case 'o': c->output = arg; break;
	case OPT_BATCH:
	case OPT_BATCH_INPUT:
	case OPT_FROM_BATCH_OUTPUT: {
		int mode = opt == OPT_BATCH ? BATCH_API : opt == OPT_BATCH_INPUT ? BATCH_INPUT : BATCH_OUTPUT;
		if (c->o.batch && c->o.batch != mode)
			usage_error("--batch, --batch-input and --from-batch-output go one at a time");
		c->o.batch = mode;
		if (arg)
			c->o.batch_file = arg;
		break;
	}
	case OPT_BATCH_STATE: c->batch_state = arg; break;
	case OPT_BATCH_POLL: c->o.batch_poll = parse_double("--batch-poll", arg, 0.01, 86400); break;
	case OPT_BATCH_SIZE: c->o.batch_size = parse_long("--batch-size", arg, 1, 100000); break;
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

/* A --url as curl reads it: exits 2 (nothing sent) when curl cannot parse it
 * or it is not http(s); returns its host, lower case, without a trailing
 * dot (caller frees). */
static char *
url_host(const char *u)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL;
	CURLUcode rc = curl_url_set(h, CURLUPART_URL, u, 0);
	if (rc != CURLUE_OK) {
		curl_url_cleanup(h);
		usage_error("--url '%s': %s", u, curl_url_strerror(rc));
	}
	curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(h, CURLUPART_HOST, &host, 0);
	int web = scheme && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
	curl_free(scheme);
	curl_url_cleanup(h);
	if (!web || !host) {
		curl_free(host);
		usage_error("--url: only http:// and https:// URLs, not '%s'", u);
	}
	char *lower = estrdup(host);
	curl_free(host);
	size_t n = strlen(lower);
	for (size_t k = 0; k < n; k++)
		lower[k] = (char)tolower((unsigned char)lower[k]);
	if (n && lower[n - 1] == '.')
		lower[n - 1] = 0;
	return lower;
}

/* Whether a host is a hosted service that always wants a key (OpenAI,
 * OpenRouter, Azure), where no key can only mean a mistake. */
static int
hosted(const char *host)
{
	static const char *const hosts[] = { "api.openai.com", "openrouter.ai", ".openai.azure.com", NULL };
	size_t n = strlen(host);
	for (const char *const *k = hosts; *k; k++) {
		size_t kn = strlen(*k);
		if (**k == '.' ? n > kn && strcmp(host + n - kn, *k) == 0 : strcmp(host, *k) == 0)
			return 1;
	}
	return 0;
}

void
engine_cli_finish(struct engine_cli *c, int judge)
{
	int anth = c->o.api == API_ANTHROPIC;
	const char *judge_url[] = { "PT_JUDGE_BASE_URL", "PT_BASE_URL", anth ? NULL : "OPENAI_BASE_URL", NULL };
	const char *const *url_env = judge ? judge_url : judge_url + 1;
	const char *judge_model[] = { "PT_JUDGE_MODEL", "PT_MODEL", NULL };
	const char *const *model_env = judge ? judge_model : judge_model + 1;
	const char *judge_key[] = { "PT_JUDGE_API_KEY", "PT_API_KEY",
		anth ? "ANTHROPIC_API_KEY" : c->o.api == API_AZURE ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY", NULL };
	const char *const *key_env = judge ? judge_key : judge_key + 1;

	if (c->o.nurls == 0) {
		const char *u = first_env(url_env);
		if (!u && c->o.api == API_AZURE)
			usage_error("--api azure needs -u https://RESOURCE.openai.azure.com/openai/deployments/DEPLOYMENT");
		c->urls[c->o.nurls++] = (char *)(u ? u : anth ? "https://api.anthropic.com/v1" : "http://localhost:8000/v1");
	}
	int any_hosted = 0;
	for (int i = 0; i < c->o.nurls; i++) {
		char *host = url_host(c->urls[i]);
		any_hosted |= hosted(host);
		free(host);
	}
	if (!c->o.model)
		c->o.model = first_env(model_env);
	if (!c->o.model || !*c->o.model)
		usage_error("no model: give -m MODEL or set %s", judge ? "PT_JUDGE_MODEL" : "PT_MODEL");
	if (!c->o.cacert) {   /* as the curl tool reads them */
		const char *ca_env[] = { "CURL_CA_BUNDLE", "SSL_CERT_FILE", NULL };
		c->o.cacert = first_env(ca_env);
	}
	if (c->o.cacert && access(c->o.cacert, R_OK) != 0)
		usage_error("--cacert %s: %s", c->o.cacert, strerror(errno));
	if (!c->o.cache_dir) {
		const char *d = getenv("PT_CACHE");
		c->o.cache_dir = d && *d ? d : NULL;
	}
	if (c->samp.has_max_completion_tokens && anth)
		usage_error("--max-completion-tokens: the Anthropic messages API takes --max-tokens");
	c->key = api_key(c->key_file, key_env);
	const char *token = getenv("AZURE_OPENAI_AD_TOKEN");
	if (!c->key && c->o.api == API_AZURE && token && *token) {
		c->key = estrdup(token);   /* Entra ID: sent as a bearer token */
		c->o.bearer = 1;
	}
	for (const char *k = c->key; k && *k; k++)
		if ((unsigned char)*k < 0x20 || *k == 0x7f)
			/* it would be sent as more than one header line */
			usage_error("the API key holds a control character (a line break?): not sent");
	if (!c->key && !c->o.offline && !c->o.estimate && (c->o.api != API_OPENAI || any_hosted)) {
		struct buf names = { 0 };
		for (const char *const *k = key_env; *k; k++)
			buf_printf(&names, "%s%s", names.len ? (k[1] ? ", " : " or ") : "", *k);
		if (c->o.api == API_AZURE)
			buf_adds(&names, " (or an Entra ID token in AZURE_OPENAI_AD_TOKEN)");
		char *u = shown_url(c->urls[0]);
		warn("no API key for %s: set %s, or use --api-key-file", c->o.api == API_OPENAI ? u : api_name(c->o.api),
		    buf_cstr(&names));
		free(u);
		free(names.p);
		exit(PT_EXIT_USAGE);
	}
	c->o.key = c->key;
	/* the completion part of a request's token estimate (--tpm, the servers' token limits) */
	c->o.out_tokens = c->samp.has_max_completion_tokens ? c->samp.max_completion_tokens
	    : c->samp.has_max_tokens ? c->samp.max_tokens : c->o.api == API_ANTHROPIC ? 4096 : 256;
	c->o.out_bounded = c->samp.has_max_completion_tokens || c->samp.has_max_tokens || c->o.api == API_ANTHROPIC;
	if (!c->o.prices) {
		const char *p = getenv("PT_PRICES");
		c->o.prices = p && *p ? p : NULL;
	}
	if (c->o.budget_file && !(c->o.budget > 0))
		usage_error("--budget-file keeps the spending of a --budget: give --budget AMOUNT too");
	if (c->o.estimate) {
		/* nothing is answered or written: the report is on standard error */
		if (c->o.batch == BATCH_INPUT || c->o.batch == BATCH_OUTPUT)
			usage_error("--estimate sends nothing; leave out --batch-input and --from-batch-output");
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 1) < 0)
			die(PT_EXIT_USAGE, "/dev/null: %s", strerror(errno));
		close(null);
		c->o.budget = 0;
	}
	if (c->o.batch == BATCH_API) {
		/* the batch ids are kept next to the output, or where --batch-state says */
		if (c->batch_state)
			c->o.batch_file = c->batch_state;
		else if (c->output) {
			struct buf b = { 0 };
			buf_printf(&b, "%s.batch", c->output);
			c->o.batch_file = c->state_name = buf_cstr(&b);
		} else
			usage_error("--batch keeps the batch ids in a file: give -o FILE (they go to FILE.batch) or --batch-state FILE");
		if (c->o.offline)
			usage_error("--batch asks the provider; --offline asks nothing");
		if (c->o.nurls > 1)
			usage_error("--batch sends to one URL, not %d", c->o.nurls);
	} else if (c->batch_state)
		usage_error("--batch-state goes with --batch");
	if (c->o.batch)
		c->o.run_held = batch_run;   /* the batch layer, above the engine */
	if (c->o.batch && c->o.offline)
		usage_error("--offline answers from the cache alone; leave out --batch-input and --from-batch-output");
	if (!c->progress_set)
		c->o.progress = isatty(2);
	if (c->output && !c->o.estimate)
		output_open(c->output);
}

void
engine_cli_free(struct engine_cli *c)
{
	if (c->key) {
		memset(c->key, 0, strlen(c->key));
		free(c->key);
	}
	free(c->samp.params.p);
	free(c->state_name);
}
