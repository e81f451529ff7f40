/* price.c: what requests cost. Prices per million tokens come from a file
 * the user keeps (the llm-prices JSON layout, or a TSV written by hand): pt
 * ships none that could go stale. A reply's cost is priced from the usage
 * the server reported; a request's worst case from its body and completion
 * limit. The budget is one run's, or shared by every process that names
 * the same file (fcntl-locked: a Slurm array on a shared disk too). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "engine.h"

/* Whether id names model: the same, or model's part after its last '/'
 * (openai/gpt-5 is priced as gpt-5). */
static int
names(const char *id, const char *model)
{
	const char *slash = strrchr(model, '/');
	return strcmp(id, model) == 0 || (slash && strcmp(id, slash + 1) == 0);
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) && v->valuedouble >= 0 ? v->valuedouble : -1;
}

/* An entry holding today: from_date <= today < to_date, null open. */
static int
current(const cJSON *h, const char *today)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(h, "from_date"), *t = cJSON_GetObjectItemCaseSensitive(h, "to_date");
	return (!cJSON_IsString(f) || strcmp(f->valuestring, today) <= 0) && (!cJSON_IsString(t) || strcmp(today, t->valuestring) < 0);
}

/* The price of one model entry: {"id", "price_history": [...]} (a vendor
 * file's), or {"id", "input", "output", "input_cached"} (llm-prices'
 * current list); 1 when it names model and has a current price. */
static int
json_entry(const cJSON *m, const char *model, const char *today, struct price *p)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	if (!cJSON_IsString(id) || !names(id->valuestring, model))
		return 0;
	const cJSON *hist = cJSON_GetObjectItemCaseSensitive(m, "price_history"), *h = NULL;
	if (cJSON_IsArray(hist)) {
		for (const cJSON *c = hist->child; c && !h; c = c->next)
			if (current(c, today))
				h = c;
	} else
		h = m;
	if (!h || num(h, "input") < 0 || num(h, "output") < 0)
		return 0;
	*p = (struct price){ num(h, "input"), num(h, "input_cached"), num(h, "output") };
	return 1;
}

static int
json_find(const char *text, const char *model, struct price *p, const char **err)
{
	cJSON *root = cJSON_Parse(text);
	char today[16];
	time_t now = time(NULL);
	strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
	if (!root) {
		*err = "not JSON";
		return 0;
	}
	/* one vendor's file, a list of them, or {"prices": [...]} */
	const cJSON *vendors = cJSON_IsArray(root) ? root->child : root;
	int found = 0;
	for (const cJSON *v = vendors; v && !found; v = cJSON_IsArray(root) ? v->next : NULL) {
		const cJSON *models = cJSON_GetObjectItemCaseSensitive(v, "models");
		if (!models)
			models = cJSON_GetObjectItemCaseSensitive(v, "prices");
		for (const cJSON *m = cJSON_IsArray(models) ? models->child : NULL; m && !found; m = m->next)
			found = json_entry(m, model, today, p);
	}
	if (!cJSON_IsArray(root) && !cJSON_GetObjectItemCaseSensitive(root, "models") &&
	    !cJSON_GetObjectItemCaseSensitive(root, "prices"))
		*err = "neither the llm-prices layout ({\"vendor\", \"models\": [...]}) nor a TSV";
	cJSON_Delete(root);
	return found;
}

/* A TSV: MODEL, INPUT, OUTPUT[, CACHED INPUT] per line, dollars per
 * million tokens; # comments, and a header line starting "model". */
static int
tsv_find(const char *file, char *text, const char *model, struct price *p)
{
	int found = 0, data = 0;
	long line = 0;
	for (char *l = text, *next; l && *l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = 0;
		line++;
		char *f[5] = { 0 };
		int nf = 0;
		for (char *t = strtok(l, "\t\r"); t && nf < 5; t = strtok(NULL, "\t\r"))
			f[nf++] = t;
		if (nf == 0 || *f[0] == '#')
			continue;
		if (!data++ && nf > 1 && strtod(f[1], NULL) == 0 && !isdigit((unsigned char)*f[1]))
			continue;   /* a header line */
		double v[3] = { -1, -1, -1 };
		for (int i = 1; i < nf && i < 4; i++) {
			char *end;
			v[i - 1] = strtod(f[i], &end);
			if (end == f[i] || *end || !(v[i - 1] >= 0) || isinf(v[i - 1]))
				die(PT_EXIT_USAGE, "--prices %s:%ld: '%s' is not a price (dollars per million tokens)", file, line, f[i]);
		}
		if (nf < 3 || nf > 4)
			die(PT_EXIT_USAGE, "--prices %s:%ld: expected MODEL, INPUT, OUTPUT and perhaps CACHED INPUT, tab-separated", file, line);
		if (!found && names(f[0], model)) {
			*p = (struct price){ v[0], v[2], v[1] };
			found = 1;
		}
	}
	return found;
}

int
price_load(const char *file, const char *model, struct price *p)
{
	size_t len;
	char *text = read_file(file, &len);
	const char *err = NULL;
	if (!text)
		die(PT_EXIT_USAGE, "--prices %s: %s", file, strerror(errno));
	const char *s = text + strspn(text, " \t\r\n");
	int found = *s == '{' || *s == '[' ? json_find(text, model, p, &err) : tsv_find(file, text, model, p);
	free(text);
	if (err)
		die(PT_EXIT_USAGE, "--prices %s: %s", file, err);
	if (!found)
		warn("--prices %s: no current price for %s: its costs are unknown (null)", file, model);
	return found;
}

double
price_cost(const struct price *p, int api, const struct reply *r, int batch)
{
	if (r->prompt_tokens < 0 || r->completion_tokens < 0)
		return NAN;
	/* OpenAI's prompt_tokens include the cached ones; Anthropic's
	 * input_tokens do not (cache_read_input_tokens are apart) */
	double cached = r->cached_tokens > 0 ? (double)r->cached_tokens : 0;
	double fresh = (double)r->prompt_tokens - (api == API_ANTHROPIC ? 0 : cached);
	double c = (fresh * p->in + cached * (p->cached >= 0 ? p->cached : p->in) + (double)r->completion_tokens * p->out) / 1e6;
	return batch ? c / 2 : c;
}

char *
dollars(double x, char out[32])
{
	int n = snprintf(out, 32, "$%.6f", x);
	while (n > 4 && out[n - 1] == '0' && out[n - 3] != '.')
		out[--n] = 0;
	return out;
}

double
price_worst(const struct price *p, size_t body_bytes, long out_tokens, int batch)
{
	/* a token is at least a byte: the body's bytes bound its prompt */
	double c = ((double)body_bytes * p->in + (double)out_tokens * p->out) / 1e6;
	return batch ? c / 2 : c;
}

/* The shared budget file: "spent AMOUNT" and a "held HOST PID AMOUNT" line
 * per process with requests in flight. Read, changed and written back under
 * a lock of the whole file; a process of this host that is gone has its
 * holdings counted spent (what it had in flight may have been billed). */
struct ledger {
	double spent, held, mine;
};

/* Holds add_held more (not when check and it would pass the limit) and
 * counts add_spent, all under one lock; 1 when done. */
static int
ledger_io(struct budget *b, struct ledger *l, double add_held, double add_spent, int check)
{
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	while (fcntl(b->fd, F_SETLKW, &lk) != 0)
		if (errno != EINTR)
			die(PT_EXIT_USAGE, "--budget-file %s: cannot lock it: %s", b->file, strerror(errno));
	struct buf in = { 0 }, out = { 0 };
	char tmp[4096];
	ssize_t n;
	off_t off = 0;
	while ((n = pread(b->fd, tmp, sizeof tmp, off)) > 0) {
		buf_add(&in, tmp, (size_t)n);
		off += n;
	}
	*l = (struct ledger){ 0 };
	if (in.len && strncmp(in.p, "spent ", 6) != 0) {
		lk.l_type = F_UNLCK;
		fcntl(b->fd, F_SETLK, &lk);
		die(PT_EXIT_USAGE, "--budget-file %s: not a budget file (it starts with \"spent \"); not changed", b->file);
	}
	char host[256], *line = buf_cstr(&in), *next;
	long pid;
	double v;
	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (sscanf(line, "spent %lf", &v) == 1)
			l->spent += v;
		else if (sscanf(line, "held %255s %ld %lf", host, &pid, &v) == 3) {
			if (pid == (long)getpid() && strcmp(host, b->host) == 0)
				l->mine += v;
			else if (strcmp(host, b->host) == 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
				l->spent += v;
			else {
				l->held += v;
				buf_printf(&out, "held %s %ld %.17g\n", host, pid, v);
			}
		}
	}
	int ok = !check || l->spent + l->held + l->mine + add_held <= b->limit * (1 + 1e-9);   /* sums of doubles */
	if (ok) {
		l->mine += add_held;
		l->spent += add_spent;
	}
	if (l->mine < 1e-12)
		l->mine = 0;
	struct buf all = { 0 };
	buf_printf(&all, "spent %.17g\n", l->spent);
	buf_add(&all, out.p, out.len);
	if (l->mine > 0)
		buf_printf(&all, "held %s %ld %.17g\n", b->host, (long)getpid(), l->mine);
	if (ftruncate(b->fd, 0) != 0 || pwrite(b->fd, all.p, all.len, 0) != (ssize_t)all.len)
		die(PT_EXIT_WRITE, "--budget-file %s: %s", b->file, strerror(errno));
	lk.l_type = F_UNLCK;
	fcntl(b->fd, F_SETLK, &lk);
	free(in.p);
	free(out.p);
	free(all.p);
	return ok;
}

void
budget_open(struct budget *b, double limit, const char *file)
{
	memset(b, 0, sizeof *b);
	b->limit = limit;
	b->fd = -1;
	if (!file)
		return;
	b->file = file;
	if ((b->fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		die(PT_EXIT_USAGE, "--budget-file %s: %s", file, strerror(errno));
	if (gethostname(b->host, sizeof b->host - 1) != 0 || !*b->host)
		strcpy(b->host, "localhost");
	for (char *h = b->host; *h; h++)
		if (*h == ' ' || *h == '\n')
			*h = '_';
	struct ledger l;
	ledger_io(b, &l, 0, 0, 0);   /* a file that is not a budget is said now, before anything is sent */
}

int
budget_take(struct budget *b, double amount)
{
	if (b->fd < 0) {
		if (b->spent + b->held + amount > b->limit * (1 + 1e-9))
			return 0;
		b->held += amount;
		return 1;
	}
	struct ledger l;
	return ledger_io(b, &l, amount, 0, 1);
}

void
budget_settle(struct budget *b, double held, double spent)
{
	b->paid += spent;
	if (b->fd < 0) {
		b->held -= held;
		b->spent += spent;
		return;
	}
	struct ledger l;
	ledger_io(b, &l, -held, spent, 0);
}

double
budget_spent(const struct budget *b)
{
	if (b->fd < 0)
		return b->spent;
	struct ledger l;
	ledger_io((struct budget *)b, &l, 0, 0, 0);
	return l.spent;
}

void
budget_close(struct budget *b)
{
	/* what is still held (requests abandoned at an interrupt) may have
	 * been billed: counted spent */
	if (b->fd >= 0) {
		struct ledger l;
		ledger_io(b, &l, 0, 0, 0);
		if (l.mine > 0)
			ledger_io(b, &l, -l.mine, l.mine, 0);
		close(b->fd);
	}
	b->fd = -1;
}
