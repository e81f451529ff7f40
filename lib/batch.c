/* batch.c: asking through the providers' batch APIs (pt-infer(1) BATCH).
 * OpenAI and Azure: the requests are uploaded as a JSONL file (/files,
 * purpose "batch"), a batch is created on it (/batches), polled, and its
 * output and error files downloaded. Anthropic: the requests go in the body
 * of /messages/batches, which is polled until processing_status is "ended",
 * and the results are read from its results_url. Every request's custom_id
 * is its request hash, so results join back whatever order they come in,
 * and each answer is read, cached and written exactly as a live one. The
 * batch ids go to a state file before polling starts: a run started again
 * polls them instead of creating new batches. --batch-input and
 * --from-batch-output write and read the same files for an offline batch
 * runner (vLLM run-batch). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "net.h"

/* One request, asked once however many jobs share its hash. */
struct req {
	char hash[65];  /* its custom_id */
	struct job **jobs;
	size_t n;
	int bat;        /* its batch (index in run.bats), -1 before it has one */
	int done;
	int redo;       /* it ended unanswered or with a failure worth asking again */
};

/* One batch at the provider. */
struct bat {
	const char *id;   /* kept by the engine: the records' batch_id */
	char *status;
	int ended, lost;
	long total, done, failed;
};

struct run {
	struct engine *e;
	const struct engine_opts *o;
	struct req *reqs;
	size_t nreqs;
	struct strmap byhash;       /* custom_id -> index in reqs */
	struct bat *bats;
	size_t nbats;
	struct curl_slist *json, *plain;
	struct buf root;            /* what /files, /batches or /messages/batches follow */
	char query[96];             /* Azure's ?api-version=, or "" */
	const char *endpoint;       /* the batch's endpoint and each line's url */
	double t0;
	int progress_shown;
};

/* Sleeps s seconds, or less when interrupted. */
static void
nap(double s)
{
	for (double until = mono_now() + s; !pt_interrupted && mono_now() < until;) {
		double left = until - mono_now();
		struct timespec ts = { 0, (long)((left < 0.1 ? left : 0.1) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

/* Where a control request's reply goes: memory, within REPLY_MAX, or a
 * result file's temporary file on disk, however long. */
struct sink {
	struct buf *out;
	FILE *file;
	int too_big;
};

static size_t
on_data(char *p, size_t size, size_t n, void *data)
{
	struct sink *k = data;
	n *= size;
	if (k->file)
		return fwrite(p, 1, n, k->file);
	if (k->out->len + n > REPLY_MAX) {
		k->too_big = 1;
		return 0;
	}
	buf_add(k->out, p, n);
	return n;
}

static size_t
on_head(char *p, size_t size, size_t n, void *data)
{
	*(double *)data = retry_after_header(p, size * n, *(double *)data);
	return size * n;
}

/* One control request (GET when body and mime are NULL), asked again on
 * connection errors and 408/409/429/5xx up to --retries times, after the
 * server's Retry-After or a doubling wait. Returns the HTTP status, 0 when
 * no reply came (*err says why; the caller frees it). */
static long
call(struct run *r, const char *url, const char *body, curl_mime *mime, struct buf *out, FILE *file, char **err)
{
	long code = 0;
	*err = NULL;
	for (int attempt = 0;; attempt++) {
		CURL *c = curl_easy_init();
		char errbuf[CURL_ERROR_SIZE] = "";
		double wait = -1;
		struct sink k = { out, file, 0 };
		out->len = 0;
		if (file && (fflush(file) != 0 || ftruncate(fileno(file), 0) != 0 || fseek(file, 0, SEEK_SET) != 0)) {
			*err = estrdup(strerror(errno));
			curl_easy_cleanup(c);
			return 0;
		}
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, mime ? r->plain : r->json);
		if (body)
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		if (mime)
			curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_head);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, &wait);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		easy_defaults(c, r->o->timeout);
		CURLcode res = curl_easy_perform(c);
		code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(c);
		free(*err);
		*err = NULL;
		struct buf m = { 0 };
		if (k.too_big)
			buf_adds(&m, "reply larger than " REPLY_MAX_TEXT ": not read further");
		else if (res != CURLE_OK)
			buf_printf(&m, "%s", errbuf[0] ? errbuf : curl_easy_strerror(res));
		else if (code < 200 || code >= 300)
			buf_printf(&m, "HTTP %ld: %s", code, out->p ? buf_cstr(out) : "");
		if (!m.len)
			return code;
		/* the key redacted before the text is cut, so no part of it is kept */
		*err = redact(buf_cstr(&m), r->o->key);
		if (strlen(*err) > 240)
			strcpy(*err + 237, "...");
		free(m.p);
		if (k.too_big)
			return code;
		int again = res != CURLE_OK || code == 408 || code == 409 || code == 429 || code >= 500;
		if (!again || attempt >= r->o->retries || pt_interrupted)
			return code;
		double cap = pow(2, attempt) < 60 ? pow(2, attempt) : 60;
		nap(wait >= 0 ? (wait < r->o->retry_after_cap ? wait : r->o->retry_after_cap) : cap);
	}
}

/* url: the root, then path, then (when query) Azure's api-version. */
static char *
url_of(const struct run *r, const char *path, const char *id, const char *tail, int query)
{
	struct buf u = { 0 };
	buf_add(&u, r->root.p, r->root.len);
	buf_adds(&u, path);
	if (id) {
		char *esc = curl_easy_escape(NULL, id, 0);
		buf_printf(&u, "/%s%s", esc, tail ? tail : "");
		curl_free(esc);
	}
	if (query)
		buf_adds(&u, r->query);
	return buf_cstr(&u);
}

static const char *
str_item(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long
num_item(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

/* Clears the progress line before a message. */
static void
unshow(struct run *r)
{
	if (r->progress_shown)
		fputs("\r\033[K", stderr);
	r->progress_shown = 0;
}

/* Ends every job of request q: answered by body (HTTP status code), or,
 * with body NULL, with status and why (code, when not 0, the HTTP status). */
static void
end_req(struct run *r, struct req *q, const struct bat *b, long code, const char *body, size_t len, int status,
    const char *why)
{
	if (q->done)
		return;
	q->done = 1;
	for (size_t i = 0; i < q->n; i++) {
		struct job *j = q->jobs[i];
		j->batch_id = b ? b->id : NULL;
		j->base_url = r->o->batch == BATCH_API ? engine_shown_url(r->e) : NULL;
		j->attempts = 1;
		j->latency_ms = r->o->batch == BATCH_API ? floor((mono_now() - r->t0) * 1000 + 0.5) : 0;
		if (body) {
			q->redo |= engine_answer(r->e, j, code, body, len);
			engine_end(r->e, j, j->status, NULL, 1);
		} else {
			q->redo = status == ST_NOT_SENT || status == ST_NETWORK_ERROR || code == 408 || code == 409 || code == 429 || code >= 500;
			j->http_status = code;
			engine_end(r->e, j, status, why, 1);
		}
	}
}

/* The HTTP status an Anthropic error type stands for (docs.anthropic.com/en/api/errors). */
static long
anthropic_code(const char *type)
{
	static const struct { const char *type; long code; } t[] = {
		{ "invalid_request_error", 400 }, { "authentication_error", 401 }, { "permission_error", 403 },
		{ "not_found_error", 404 }, { "request_too_large", 413 }, { "rate_limit_error", 429 },
		{ "api_error", 500 }, { "overloaded_error", 529 },
	};
	for (size_t i = 0; type && i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].type, type) == 0)
			return t[i].code;
	return 500;
}

/* One line of a result file. 0 when it is not a result line at all; 1 when
 * read (*known: it answered a request of this run). */
static int
join_line(struct run *r, struct bat *b, const char *line, size_t len, int *known)
{
	cJSON *o = wire_parse(line, len);
	const char *id = str_item(o, "custom_id");
	size_t *ix = id ? strmap_find(&r->byhash, id) : NULL;
	*known = ix != NULL;
	if (!id) {
		cJSON_Delete(o);
		return 0;
	}
	struct req *q = ix ? &r->reqs[*ix] : NULL;
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(o, "result");
	const cJSON *resp = cJSON_GetObjectItemCaseSensitive(o, "response");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(o, "error");
	const char *etext = cJSON_IsString(err) ? err->valuestring : str_item(err, "message");
	const cJSON *body = NULL;
	const char *gone = NULL;   /* the batch ended before the request ran */
	long code = 0;
	if (cJSON_IsObject(res)) {
		/* Anthropic: {"custom_id", "result": {"type": succeeded|errored|canceled|expired, …}} */
		const char *type = str_item(res, "type");
		if (type && strcmp(type, "succeeded") == 0)
			body = cJSON_GetObjectItemCaseSensitive(res, "message"), code = 200;
		else if (type && strcmp(type, "errored") == 0) {
			body = cJSON_GetObjectItemCaseSensitive(res, "error");
			code = anthropic_code(str_item(cJSON_GetObjectItemCaseSensitive(body, "error"), "type"));
		} else
			gone = type && strcmp(type, "canceled") == 0 ? "cancelled" : "expired";
	} else if (cJSON_IsObject(resp)) {
		/* OpenAI: {"custom_id", "response": {"status_code", "body"}, "error"};
		 * vLLM run-batch: a failed request has no body, and error as a string */
		body = cJSON_GetObjectItemCaseSensitive(resp, "body");
		code = num_item(resp, "status_code");
		const char *ecode = str_item(cJSON_GetObjectItemCaseSensitive(body, "error"), "code");
		if (ecode && strcmp(ecode, "batch_expired") == 0)
			gone = "expired";
		else if (ecode && strcmp(ecode, "batch_cancelled") == 0)
			gone = "cancelled";
	}
	struct buf why = { 0 };
	if (gone && b)
		buf_printf(&why, "batch %s: %s before this request ran; the same command again sends it", b->id, gone);
	else if (gone)
		buf_printf(&why, "%s: %s before this request ran", r->o->batch_file, gone);
	else if (!cJSON_IsObject(body)) {
		if (b)
			buf_printf(&why, "batch %s: ", b->id);
		else
			buf_printf(&why, "%s: ", r->o->batch_file);
		if (code)
			buf_printf(&why, "HTTP %ld: ", code);
		buf_adds(&why, etext ? etext : "no response");
	}
	if (q && !why.len) {
		char *text = cJSON_PrintUnformatted(body);
		end_req(r, q, b, code, text, strlen(text), 0, NULL);
		cJSON_free(text);
	} else if (q) {
		char *w = redact(buf_cstr(&why), r->o->key);   /* (a result's error text is the server's) */
		end_req(r, q, b, code, NULL, 0, gone ? ST_NOT_SENT : ST_HTTP_ERROR, w);
		free(w);
	}
	free(why.p);
	cJSON_Delete(o);
	return 1;
}

/* One line of a result file (over: it was longer than REPLY_MAX, so it
 * holds no reply pt would read); counts it when it answers no request here. */
static void
join_one(struct run *r, struct bat *b, struct buf *line, int *over, long *unknown)
{
	int known;
	if (*over || (line->len && (!join_line(r, b, line->p, line->len, &known) || !known)))
		++*unknown;
	line->len = 0;
	*over = 0;
}

/* Joins a downloaded result file, read in blocks and split at line ends
 * (lengths kept, never strlen). */
static void
join_file(struct run *r, struct bat *b, FILE *f, long *unknown)
{
	struct buf line = { 0 };
	char chunk[65536];
	int over = 0;
	size_t n;
	rewind(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		for (const char *p = chunk, *e = chunk + n; p < e;) {
			const char *nl = memchr(p, '\n', (size_t)(e - p)), *end = nl ? nl : e;
			if (!over)
				buf_add(&line, p, (size_t)(end - p));
			if (line.len > REPLY_MAX) {
				over = 1;
				line.len = 0;
			}
			if (nl)
				join_one(r, b, &line, &over, unknown);
			p = nl ? nl + 1 : e;
		}
	if (line.len || over)
		join_one(r, b, &line, &over, unknown);
	free(line.p);
}

/* Adds a line to the state file: the file is written anew to a temporary
 * name, synced and renamed, so that a run killed meanwhile leaves it whole. */
static void
state_line(struct run *r, const char *line)
{
	size_t len = 0;
	char *old = read_file(r->o->batch_file, &len);
	struct buf b = { 0 };
	if (!old && errno != ENOENT)
		die(PT_EXIT_WRITE, "%s: %s", r->o->batch_file, strerror(errno));
	buf_add(&b, old ? old : "", len);
	buf_adds(&b, line);
	buf_addc(&b, '\n');
	if (write_file(r->o->batch_file, b.p, b.len) < 0)
		die(PT_EXIT_WRITE, "%s: %s", r->o->batch_file, strerror(errno));
	free(old);
	free(b.p);
}

/* The state file's batches: each request that one of them holds, and that
 * it did not end unanswered, is that batch's again. */
static void
state_load(struct run *r)
{
	size_t len;
	char *text = read_file(r->o->batch_file, &len);
	if (!text) {
		if (errno != ENOENT)
			die(PT_EXIT_USAGE, "%s: %s", r->o->batch_file, strerror(errno));
		return;
	}
	long line = 0;
	for (char *p = text, *nl; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl)
			nl = text + len;
		line++;
		cJSON *o = cJSON_ParseWithLength(p, (size_t)(nl - p));
		const char *id = str_item(o, "batch");
		const cJSON *ids = cJSON_GetObjectItemCaseSensitive(o, "custom_ids");
		const cJSON *redo = cJSON_GetObjectItemCaseSensitive(o, "redo");
		if (!id || (!cJSON_IsArray(ids) && !cJSON_IsArray(redo)))
			die(PT_EXIT_USAGE, "%s:%ld: not a batch state line pt wrote", r->o->batch_file, line);
		size_t k = 0;
		while (k < r->nbats && strcmp(r->bats[k].id, id) != 0)
			k++;
		if (k == r->nbats) {
			r->bats = erealloc(r->bats, (r->nbats + 1) * sizeof *r->bats);
			r->bats[r->nbats++] = (struct bat){ .id = engine_keep(r->e, id) };
		}
		const cJSON *c, *list = cJSON_IsArray(ids) ? ids : redo;
		cJSON_ArrayForEach(c, list) {
			size_t *ix = cJSON_IsString(c) ? strmap_find(&r->byhash, c->valuestring) : NULL;
			if (ix && cJSON_IsArray(ids))
				r->reqs[*ix].bat = (int)k;
			else if (ix && r->reqs[*ix].bat == (int)k)
				r->reqs[*ix].bat = -1;   /* ended unanswered: asked again */
		}
		cJSON_Delete(o);
	}
	free(text);
}

/* One request as a batch line: OpenAI's {"custom_id","method","url","body"},
 * or Anthropic's {"custom_id","params"}. */
static void
req_line(const struct run *r, struct buf *b, const struct req *q)
{
	if (r->o->api == API_ANTHROPIC)
		buf_printf(b, "{\"custom_id\":\"%s\",\"params\":%s}", q->hash, q->jobs[0]->body);
	else
		buf_printf(b, "{\"custom_id\":\"%s\",\"method\":\"POST\",\"url\":\"%s\",\"body\":%s}", q->hash, r->endpoint,
		    q->jobs[0]->body);
}

/* Creates a batch of the requests idx[0..n-1] (when it cannot be, they
 * end saying why). */
static void
create(struct run *r, const size_t *idx, size_t n)
{
	struct buf lines = { 0 }, out = { 0 }, cbody = { 0 };
	char *err = NULL, *u = NULL;
	long code;
	int anth = r->o->api == API_ANTHROPIC;
	if (anth)
		buf_adds(&lines, "{\"requests\":[");
	for (size_t i = 0; i < n; i++) {
		if (anth && i)
			buf_addc(&lines, ',');
		req_line(r, &lines, &r->reqs[idx[i]]);
		if (!anth)
			buf_addc(&lines, '\n');
	}
	cJSON *o = NULL;
	if (anth) {
		buf_adds(&lines, "]}");
		u = url_of(r, "/messages/batches", NULL, NULL, 0);
		code = call(r, u, buf_cstr(&lines), NULL, &out, NULL, &err);
	} else {
		curl_mime *mime = curl_mime_init(NULL);
		curl_mimepart *part = curl_mime_addpart(mime);
		curl_mime_name(part, "purpose");
		curl_mime_data(part, "batch", CURL_ZERO_TERMINATED);
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "file");
		curl_mime_filename(part, "pt-batch.jsonl");
		curl_mime_type(part, "application/jsonl");
		curl_mime_data(part, lines.p, lines.len);
		u = url_of(r, "/files", NULL, NULL, 1);
		code = call(r, u, NULL, mime, &out, NULL, &err);
		curl_mime_free(mime);
		o = err ? NULL : cJSON_ParseWithLength(out.p, out.len);
		const char *file = str_item(o, "id");
		if (!err && !file)
			err = estrdup("the upload's reply names no file id");
		if (file) {
			buf_adds(&cbody, "{\"input_file_id\":");
			json_quote(&cbody, file, strlen(file));
			buf_printf(&cbody, ",\"endpoint\":\"%s\",\"completion_window\":\"24h\"}", r->endpoint);
			free(u);
			u = url_of(r, "/batches", NULL, NULL, 1);
			code = call(r, u, buf_cstr(&cbody), NULL, &out, NULL, &err);
		}
		cJSON_Delete(o);
	}
	o = err ? NULL : cJSON_ParseWithLength(out.p, out.len);
	const char *id = str_item(o, "id");
	if (id) {
		r->bats = erealloc(r->bats, (r->nbats + 1) * sizeof *r->bats);
		int k = (int)r->nbats++;
		r->bats[k] = (struct bat){ .id = engine_keep(r->e, id), .total = (long)n };
		/* the id is kept before anything else is done: a run killed from
		 * now on polls this batch when started again */
		struct buf s = { 0 };
		buf_adds(&s, "{\"batch\":");
		json_quote(&s, id, strlen(id));
		buf_printf(&s, ",\"api\":\"%s\",\"created\":%ld,\"custom_ids\":[", api_name(r->o->api), (long)time(NULL));
		for (size_t i = 0; i < n; i++) {
			buf_printf(&s, "%s\"%s\"", i ? "," : "", r->reqs[idx[i]].hash);
			r->reqs[idx[i]].bat = k;
			r->reqs[idx[i]].redo = 0;
		}
		buf_adds(&s, "]}");
		state_line(r, buf_cstr(&s));
		free(s.p);
		unshow(r);
		warn("batch %s: %zu requests submitted (its id is kept in %s)", id, n, r->o->batch_file);
	} else {
		struct buf why = { 0 };
		buf_printf(&why, "batch not created: %s%s", err ? err : "the reply names no batch id",
		    code == 404 ? " (no batch API at this URL; for vLLM, --batch-input and vllm run-batch)" : "");
		for (size_t i = 0; i < n; i++)
			end_req(r, &r->reqs[idx[i]], NULL, 0, NULL, 0, code ? ST_HTTP_ERROR : ST_NETWORK_ERROR, buf_cstr(&why));
		free(why.p);
	}
	cJSON_Delete(o);
	free(err);
	free(u);
	free(lines.p);
	free(out.p);
	free(cbody.p);
}

/* Ends the requests of batch b still open with status and why. */
static void
end_rest(struct run *r, struct bat *b, long code, int status, const char *why)
{
	for (size_t i = 0; i < r->nreqs; i++)
		if (r->reqs[i].bat == b - r->bats)
			end_req(r, &r->reqs[i], b, code, NULL, 0, status, why);
}

/* A batch that cannot be read now (the provider gone, a download failed):
 * its open requests end, and it stays in the state file unended, so that
 * the same command polls it again. */
static void
lose(struct run *r, struct bat *b, long code, const char *what, const char *err)
{
	struct buf why = { 0 };
	buf_printf(&why, "batch %s: %s could not be read (%s); the same command again polls it", b->id, what, err);
	end_rest(r, b, code, code ? ST_HTTP_ERROR : ST_NETWORK_ERROR, buf_cstr(&why));
	b->lost = 1;
	free(why.p);
}

/* The state line of a batch that ended (st): the requests it holds that
 * are to be sent again. */
static void
state_ended(struct run *r, const struct bat *b, const char *st)
{
	struct buf s = { 0 };
	buf_adds(&s, "{\"batch\":");
	json_quote(&s, b->id, strlen(b->id));
	buf_adds(&s, ",\"ended\":");
	json_quote(&s, st, strlen(st));
	buf_adds(&s, ",\"redo\":[");
	int n = 0;
	for (size_t i = 0; i < r->nreqs; i++)
		if (r->reqs[i].bat == b - r->bats && r->reqs[i].redo)
			buf_printf(&s, "%s\"%s\"", n++ ? "," : "", r->reqs[i].hash);
	buf_adds(&s, "]}");
	state_line(r, buf_cstr(&s));
	free(s.p);
}

/* An ended batch (o, as polled; st its state): its results joined, then
 * what it ended without, and a state line naming the requests to send again. */
static void
join_bat(struct run *r, struct bat *b, const cJSON *o, const char *st)
{
	int anth = r->o->api == API_ANTHROPIC;
	long unknown = 0;
	struct buf file = { 0 }, why = { 0 };
	FILE *tmp = tmpfile();   /* a result file goes to disk, not to memory */
	/* Anthropic's results (at its documented path, which is what results_url
	 * names: the key goes to no other host), OpenAI's output and error files */
	const char *files[] = { anth ? "results_url" : "output_file_id", anth ? NULL : "error_file_id" };
	for (int f = 0; f < 2 && files[f]; f++) {
		const char *fid = str_item(o, files[f]);
		char *err = NULL;
		if (!fid)
			continue;
		char *u = anth ? url_of(r, "/messages/batches", b->id, "/results", 0) : url_of(r, "/files", fid, "/content", 1);
		long code = tmp ? call(r, u, NULL, NULL, &file, tmp, &err) : 0;
		free(u);
		if (!tmp)
			err = estrdup(strerror(errno));
		if (err) {
			lose(r, b, code, files[f], err);
			free(err);
			goto out;
		}
		join_file(r, b, tmp, &unknown);
	}
	if (unknown) {
		unshow(r);
		warn("batch %s: %ld result lines answer no request of this run", b->id, unknown);
	}
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "errors"), "data");
	const char *emsg = str_item(cJSON_GetArrayItem(errs, 0), "message");
	buf_printf(&why, "batch %s ended (%s) without a result for this request%s%s; the same command again sends it",
	    b->id, st, emsg ? ": " : "", emsg ? emsg : "");
	end_rest(r, b, 0, ST_NOT_SENT, buf_cstr(&why));
	state_ended(r, b, st);
out:
	if (tmp)
		fclose(tmp);
	free(file.p);
	free(why.p);
}

/* Reads a batch's state; on its end, joins its results. */
static void
poll_bat(struct run *r, struct bat *b)
{
	struct buf out = { 0 };
	char *err = NULL;
	int anth = r->o->api == API_ANTHROPIC;
	char *u = url_of(r, anth ? "/messages/batches" : "/batches", b->id, NULL, 1);
	long code = call(r, u, NULL, NULL, &out, NULL, &err);
	cJSON *o = err ? NULL : cJSON_ParseWithLength(out.p, out.len);
	const char *st = str_item(o, anth ? "processing_status" : "status");
	const cJSON *rc = cJSON_GetObjectItemCaseSensitive(o, "request_counts");
	free(u);
	if (code == 404) {
		/* no such batch (deleted, another account's): its requests go in a new one */
		unshow(r);
		warn("batch %s: not found; its requests are sent again", b->id);
		for (size_t i = 0; i < r->nreqs; i++)
			r->reqs[i].redo |= r->reqs[i].bat == b - r->bats && !r->reqs[i].done;
		state_ended(r, b, "not found");
		for (size_t i = 0; i < r->nreqs; i++)
			if (r->reqs[i].bat == b - r->bats && !r->reqs[i].done)
				r->reqs[i].bat = -1;
		b->ended = 1;
		goto out;
	}
	if (!st) {
		lose(r, b, code, "its state", err ? err : "no status in the reply");
		goto out;
	}
	if (!b->status || strcmp(b->status, st) != 0) {
		free(b->status);
		b->status = estrdup(st);
		unshow(r);
		warn("batch %s: %s", b->id, st);
	}
	if (anth) {
		b->done = num_item(rc, "succeeded") + num_item(rc, "errored") + num_item(rc, "canceled") + num_item(rc, "expired");
		b->failed = b->done - num_item(rc, "succeeded");
		b->ended = !strcmp(st, "ended");
	} else {
		b->done = num_item(rc, "completed") + num_item(rc, "failed");
		b->failed = num_item(rc, "failed");
		b->ended = !strcmp(st, "completed") || !strcmp(st, "failed") || !strcmp(st, "expired") || !strcmp(st, "cancelled");
	}
	if (num_item(rc, "total") > 0)
		b->total = num_item(rc, "total");
	if (b->ended)
		join_bat(r, b, o, st);
out:
	cJSON_Delete(o);
	free(err);
	free(out.p);
}

static const char *
state_of(const struct bat *b)
{
	return b->lost ? "unread" : b->status ? b->status : "submitted";
}

/* The progress line: the batches by state, the requests done, the time. */
static void
show(struct run *r)
{
	long total = 0, done = 0, failed = 0;
	struct buf states = { 0 };   /* "in_progress 2, completed 1" */
	for (size_t k = 0; k < r->nbats; k++) {
		total += r->bats[k].total;
		done += r->bats[k].done;
		failed += r->bats[k].failed;
		const char *st = state_of(&r->bats[k]);
		size_t same = 0, first = k;
		for (size_t i = 0; i < r->nbats; i++)
			if (strcmp(state_of(&r->bats[i]), st) == 0 && !same++)
				first = i;
		if (first == k)
			buf_printf(&states, "%s%s %zu", states.len ? ", " : "", st, same);
	}
	fprintf(stderr, "\r%s: %zu batch%s (%s): %ld/%ld requests done, %ld failed, %.0f s\033[K", progname, r->nbats,
	    r->nbats == 1 ? "" : "es", states.p ? states.p : "", done, total, failed, mono_now() - r->t0);
	free(states.p);
	r->progress_shown = 1;
}

/* --batch: the state file's batches polled again, the other requests sent
 * in new batches of at most --batch-size requests and the provider's size
 * limit, then every batch polled until it ends. */
static void
submit(struct run *r)
{
	int anth = r->o->api == API_ANTHROPIC;
	/* OpenAI: 50,000 requests, 200 MB a file; Anthropic: 100,000 requests, 256 MB a batch */
	size_t most = anth ? 100000 : 50000, bytes_most = anth ? 256000000 : 200000000;
	if (r->o->batch_size > 0 && (size_t)r->o->batch_size < most)
		most = (size_t)r->o->batch_size;
	size_t *idx = emalloc((r->nreqs ? r->nreqs : 1) * sizeof *idx), n = 0, bytes = 0;
	for (size_t i = 0; i <= r->nreqs && !pt_interrupted; i++) {
		/* an ended request's jobs are the tool's again (freed): only the
		 * requests still to send are looked at */
		int take = i < r->nreqs && r->reqs[i].bat < 0 && !r->reqs[i].done;
		size_t add = take ? strlen(r->reqs[i].jobs[0]->body) + 200 : 0;
		if (n && (i == r->nreqs || (take && (n == most || bytes + add > bytes_most)))) {
			create(r, idx, n);
			n = bytes = 0;
		}
		if (take) {
			idx[n++] = i;
			bytes += add;
		}
	}
	free(idx);
}

/* --batch: the requests the state file's batches hold are theirs again; the
 * others are sent in new batches of at most --batch-size requests and the
 * provider's size limit; then every batch is polled until it ends. */
static void
run_api(struct run *r)
{
	state_load(r);
	while (!pt_interrupted) {
		submit(r);
		int open = 0, unsent = 0;
		for (size_t k = 0; k < r->nbats && !pt_interrupted; k++) {
			struct bat *b = &r->bats[k];
			int has = 0;
			for (size_t i = 0; i < r->nreqs && !has; i++)
				has = r->reqs[i].bat == (int)k && !r->reqs[i].done;
			if (has && !b->lost)
				poll_bat(r, b);
			open += has && !b->ended && !b->lost;
		}
		for (size_t i = 0; i < r->nreqs; i++)
			unsent += r->reqs[i].bat < 0 && !r->reqs[i].done;
		if (r->o->progress)
			show(r);
		if (!open && !unsent)
			break;
		if (!unsent)
			nap(r->o->batch_poll);
	}
	unshow(r);
	if (pt_interrupted)
		warn("interrupted: the batches go on at the provider; the same command again polls them (ids in %s)",
		    r->o->batch_file);
}

/* --batch-input FILE: the requests as batch input lines (Anthropic: the
 * items of a Message Batch's requests). */
static void
run_input(struct run *r)
{
	struct buf b = { 0 };
	for (size_t i = 0; i < r->nreqs; i++) {
		req_line(r, &b, &r->reqs[i]);
		buf_addc(&b, '\n');
	}
	if (write_file(r->o->batch_file, b.p, b.len) < 0)
		die(PT_EXIT_WRITE, "--batch-input %s: %s", r->o->batch_file, strerror(errno));
	free(b.p);
	struct buf why = { 0 };
	buf_printf(&why, "written to %s for a batch run (--batch-input); read its output with --from-batch-output",
	    r->o->batch_file);
	for (size_t i = 0; i < r->nreqs; i++) {
		r->reqs[i].done = 1;
		for (size_t k = 0; k < r->reqs[i].n; k++)
			engine_end(r->e, r->reqs[i].jobs[k], ST_NOT_SENT, buf_cstr(&why), 0);
	}
	free(why.p);
}

/* --from-batch-output FILE: an OpenAI batch output file (vLLM run-batch). */
static void
run_output(struct run *r)
{
	char *files[] = { (char *)r->o->batch_file };
	struct reader *rd = rdr_open(files, 1);
	struct rec rec;
	long unknown = 0;
	while (rdr_next(rd, &rec) == RDR_REC) {
		int known;
		if (rec.err || !rec.is_object || !join_line(r, NULL, rec.p, rec.len, &known)) {
			rec_warn(&rec, "not a batch output line%s%s", rec.err ? ": " : "", rec.err ? rec.err : "");
			engine_bad_batch_file(r->e);
		} else if (!known)
			unknown++;
	}
	if (rdr_failed(rd))
		engine_bad_batch_file(r->e);
	rdr_close(rd);
	if (unknown)
		warn("%s: %ld lines answer no request of this run", r->o->batch_file, unknown);
	struct buf why = { 0 };
	buf_printf(&why, "no result in %s", r->o->batch_file);
	for (size_t i = 0; i < r->nreqs; i++)
		end_req(r, &r->reqs[i], NULL, 0, NULL, 0, ST_NOT_SENT, buf_cstr(&why));
	free(why.p);
}

void
batch_run(struct engine *e, struct job **jobs, size_t n)
{
	struct run r = { .e = e, .o = engine_opts(e), .t0 = mono_now() };
	r.reqs = ecalloc(n ? n : 1, sizeof *r.reqs);
	for (size_t i = 0; i < n; i++) {
		int added;
		size_t *ix = strmap_get(&r.byhash, jobs[i]->hash, strlen(jobs[i]->hash), &added);
		if (added) {
			*ix = r.nreqs++;
			r.reqs[*ix].bat = -1;
			memcpy(r.reqs[*ix].hash, jobs[i]->hash, sizeof r.reqs[*ix].hash);
		}
		struct req *q = &r.reqs[*ix];
		q->jobs = erealloc(q->jobs, (q->n + 1) * sizeof *q->jobs);
		q->jobs[q->n++] = jobs[i];
	}
	const char *u = r.o->urls[0], *dep = strstr(u, "/openai/deployments/");
	size_t ul = dep ? (size_t)(dep - u) + 7 : strlen(u);
	while (ul && u[ul - 1] == '/')
		ul--;
	buf_add(&r.root, u, ul);
	buf_cstr(&r.root);
	if (dep)
		snprintf(r.query, sizeof r.query, "?api-version=%s", r.o->api_version);
	/* the endpoint as each provider's batch documentation names it */
	r.endpoint = r.o->api == API_AZURE ? "/chat/completions" : "/v1/chat/completions";
	r.json = curl_slist_append(auth_headers(r.o, NULL), "Content-Type: application/json");
	r.plain = auth_headers(r.o, NULL);
	if (r.o->batch == BATCH_API)
		run_api(&r);
	else if (r.o->batch == BATCH_INPUT)
		run_input(&r);
	else
		run_output(&r);
	for (size_t i = 0; i < r.nreqs; i++) {
		for (size_t k = 0; !r.reqs[i].done && k < r.reqs[i].n; k++)
			engine_abandon(r.reqs[i].jobs[k]);
		free(r.reqs[i].jobs);
	}
	for (size_t k = 0; k < r.nbats; k++)
		free(r.bats[k].status);
	free(r.bats);
	free(r.reqs);
	free(r.root.p);
	strmap_free(&r.byhash);
	headers_free(r.json);
	headers_free(r.plain);
}
