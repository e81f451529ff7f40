/* wire.c: request bodies and replies of the three wire formats.
 * OpenAI chat completions (also vLLM, llama.cpp, Ollama, OpenRouter) and Azure
 * share a body; Anthropic's messages API takes the system prompt as a
 * top-level field and requires max_tokens. */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "net.h"

static const char *const api_names[] = { "openai", "azure", "anthropic" };

int
api_parse(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, api_names[i]) == 0)
			return i;
	return -1;
}

const char *
api_name(int api)
{
	return api_names[api];
}

const char *
api_path(int api)
{
	return api == API_ANTHROPIC ? "/messages" : "/chat/completions";
}

void
sampling_param(struct sampling *s, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		usage_error("--param: expected KEY=JSON, got '%s'", kv);
	jv v = jv_parse(eq + 1);
	if (!jv_is_valid(v)) {
		char *m = jv_errmsg(v);
		usage_error("--param %.*s: invalid JSON: %s", (int)(eq - kv), kv, m);
	}
	jv_free(v);
	buf_addc(&s->params, ',');
	json_quote(&s->params, kv, (size_t)(eq - kv));
	buf_addc(&s->params, ':');
	buf_adds(&s->params, eq + 1);
}

/* Appends one message's content: a string, or (multimodal) the JSON as given. */
static void
add_content(struct buf *b, const cJSON *c)
{
	if (cJSON_IsString(c))
		json_quote_marked(b, c->valuestring, strlen(c->valuestring));
	else {
		char *t = cJSON_PrintUnformatted(c);
		buf_adds(b, t);
		cJSON_free(t);
	}
}

char *
wire_body(int api, const char *model, const char *msgs, size_t len, const struct sampling *s,
    long sample, const char **err)
{
	cJSON *arr = wire_parse(msgs, len);
	struct buf b = { 0 }, sys = { 0 };
	int n = 0;
	if (!cJSON_IsArray(arr)) {
		*err = "messages is not an array";
		goto bad;
	}
	buf_adds(&b, "{\"model\":");
	json_quote(&b, model, strlen(model));
	buf_adds(&b, ",\"messages\":[");
	for (cJSON *m = arr->child; m; m = m->next) {
		cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		if (!cJSON_IsString(role) || !content || cJSON_IsNull(content)) {
			*err = "a message lacks a string role or a content";
			goto bad;
		}
		if (api == API_ANTHROPIC && strcmp(role->valuestring, "system") == 0) {
			if (!cJSON_IsString(content)) {
				*err = "an Anthropic system message must be text";
				goto bad;
			}
			if (sys.len)
				buf_adds(&sys, "\n\n");
			buf_adds(&sys, content->valuestring);   /* (C0 80 stays marked) */
			continue;
		}
		if (n++)
			buf_addc(&b, ',');
		buf_adds(&b, "{\"role\":");
		json_quote(&b, role->valuestring, strlen(role->valuestring));
		buf_adds(&b, ",\"content\":");
		add_content(&b, content);
		buf_addc(&b, '}');
	}
	buf_addc(&b, ']');
	if (n == 0) {
		*err = "messages is empty";
		goto bad;
	}
	if (sys.len) {
		buf_adds(&b, ",\"system\":");
		json_quote_marked(&b, sys.p, sys.len);
	}
	if (s->has_max_tokens || api == API_ANTHROPIC)
		buf_printf(&b, ",\"max_tokens\":%ld", s->has_max_tokens ? s->max_tokens : 4096L);
	if (s->has_max_completion_tokens)
		buf_printf(&b, ",\"max_completion_tokens\":%ld", s->max_completion_tokens);
	if (s->has_temperature) {
		buf_adds(&b, ",\"temperature\":");
		buf_num(&b, s->temperature);
	}
	/* Samples of one record differ in their seed, so a seeded run still
	 * draws N different answers. */
	if (s->has_seed && api != API_ANTHROPIC)
		buf_printf(&b, ",\"seed\":%ld", s->seed + sample);
	if (s->params.len)
		buf_add(&b, s->params.p, s->params.len);
	buf_addc(&b, '}');
	cJSON_Delete(arr);
	free(sys.p);
	return buf_cstr(&b);
bad:
	cJSON_Delete(arr);
	free(b.p);
	free(sys.p);
	return NULL;
}

static char *
str_or_null(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? estrdup(v->valuestring) : NULL;
}

/* A token count, or -1 when it is missing or not a sane count (a reply
 * may say anything; converting 1e300 to long would be undefined). */
static long
num_or(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15 ? (long)v->valuedouble : -1;
}

/* Appends text to *acc on a new line (reasoning may come in several places). */
static void
add_text(char **acc, const char *text)
{
	if (!text || !*text)
		return;
	struct buf b = { 0 };
	if (*acc) {
		buf_adds(&b, *acc);
		buf_adds(&b, "\n");
		free(*acc);
	}
	buf_adds(&b, text);
	*acc = buf_cstr(&b);
}

/* Takes reasoning out of r->text: a <think>...</think> block, or text that
 * ends at a lone </think> (DeepSeek-R1's template opens the block in the
 * prompt). The answer is what follows the last </think>; a <think> with no
 * </think> after it means the answer never came. */
static void
split_reasoning(struct reply *r)
{
	char *t = r->text, *open = strstr(t, "<think>"), *close = NULL;
	for (char *c = strstr(t, "</think>"); c; c = strstr(c + 1, "</think>"))
		close = c;
	if (close && open && open > close)
		close = NULL;   /* a block opened after the last one closed */
	if (!open && !close)
		return;
	char *rs = open ? open + 7 : t, *re = close ? close : t + strlen(t);
	char *think = estrndup(rs, (size_t)(re - rs));
	add_text(&r->reasoning, think);
	free(think);
	if (!close) {
		r->unclosed = 1;
		*open = 0;   /* any text before the block stays as the partial answer */
		return;
	}
	const char *a = close + 8;
	while (*a == ' ' || *a == '\n' || *a == '\r' || *a == '\t')
		a++;
	char *answer = estrdup(a);
	free(r->text);
	r->text = answer;
}

/* An empty reply: no text, and no usage either (a request that got no
 * answer was counted by no server). */
static void
reply_clear(struct reply *r)
{
	memset(r, 0, sizeof *r);
	r->prompt_tokens = r->completion_tokens = r->reasoning_tokens = r->cached_tokens = -1;
}

cJSON *
wire_parse(const char *p, size_t n)
{
	size_t m;
	char *k = json_mark_nul(p, n, &m);
	cJSON *o = cJSON_ParseWithLengthOpts(k ? k : p, k ? m : n, NULL, 0);
	free(k);
	return o;
}

int
wire_reply(int api, const char *body, size_t len, struct reply *r, const char **err)
{
	cJSON *o = wire_parse(body, len);
	int st = WIRE_OK;
	reply_clear(r);   /* (r is not read: it may be uninitialised) */
	if (!cJSON_IsObject(o)) {
		*err = "reply is not a JSON object";
		cJSON_Delete(o);
		return WIRE_RETRY;
	}
	r->served_model = str_or_null(o, "model");
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(o, "usage");
	if (api == API_ANTHROPIC) {
		/* docs.anthropic.com/en/api/messages: content blocks of type text,
		 * thinking (its text in "thinking") and redacted_thinking */
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(o, "content");
		r->finish_reason = str_or_null(o, "stop_reason");
		r->prompt_tokens = num_or(usage, "input_tokens");
		r->completion_tokens = num_or(usage, "output_tokens");
		r->cached_tokens = num_or(usage, "cache_read_input_tokens");
		if (!cJSON_IsArray(content)) {
			*err = "reply has no content";
			st = WIRE_RETRY;
		} else {
			struct buf t = { 0 };
			int any = 0;
			for (const cJSON *c = content->child; c; c = c->next) {
				const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
				const cJSON *text = cJSON_GetObjectItemCaseSensitive(c, "text");
				const cJSON *th = cJSON_GetObjectItemCaseSensitive(c, "thinking");
				if (!cJSON_IsString(type))
					continue;
				if (strcmp(type->valuestring, "text") == 0 && cJSON_IsString(text)) {
					buf_adds(&t, text->valuestring);
					any = 1;
				} else if (strcmp(type->valuestring, "thinking") == 0 && cJSON_IsString(th))
					add_text(&r->reasoning, th->valuestring);
			}
			r->text = any ? buf_cstr(&t) : NULL;
			if (r->finish_reason && strcmp(r->finish_reason, "refusal") == 0) {
				r->refusal = r->text ? r->text : estrdup("");
				r->text = NULL;
			}
		}
	} else {
		/* platform.openai.com/docs/api-reference/chat/object: message.content
		 * (null with a refusal), message.refusal; vLLM's reasoning parsers and
		 * llama.cpp put reasoning in reasoning_content, newer vLLM in reasoning */
		const cJSON *choices = cJSON_GetObjectItemCaseSensitive(o, "choices");
		const cJSON *c0 = cJSON_IsArray(choices) ? choices->child : NULL;
		r->prompt_tokens = num_or(usage, "prompt_tokens");
		r->completion_tokens = num_or(usage, "completion_tokens");
		r->reasoning_tokens = num_or(cJSON_GetObjectItemCaseSensitive(usage, "completion_tokens_details"), "reasoning_tokens");
		r->cached_tokens = num_or(cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens_details"), "cached_tokens");
		const cJSON *msg = cJSON_IsObject(c0) ? cJSON_GetObjectItemCaseSensitive(c0, "message") : NULL;
		if (!cJSON_IsObject(msg)) {
			*err = "reply has no choices";
			st = WIRE_RETRY;
		} else {
			r->finish_reason = str_or_null(c0, "finish_reason");
			r->text = str_or_null(msg, "content");
			r->refusal = str_or_null(msg, "refusal");
			char *rc = str_or_null(msg, "reasoning_content");
			if (!rc)
				rc = str_or_null(msg, "reasoning");
			add_text(&r->reasoning, rc);
			free(rc);
			const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
			if (content && !cJSON_IsNull(content) && !cJSON_IsString(content)) {
				*err = "reply's message content is not text";
				st = WIRE_BAD;
			}
		}
	}
	if (r->text)
		split_reasoning(r);
	cJSON_Delete(o);
	return st;
}

static int
is(const char *s, const char *t)
{
	return s && strcmp(s, t) == 0;
}

int
reply_status(const struct reply *r, const char **why)
{
	const char *f = r->finish_reason;
	if (r->refusal) {
		*why = "the model refused";
		return ST_REFUSED;
	}
	if (is(f, "content_filter")) {
		*why = "stopped by a content filter (finish_reason content_filter)";
		return ST_FILTERED;
	}
	if (is(f, "length") || is(f, "max_tokens") || is(f, "model_context_window_exceeded")) {
		*why = r->unclosed || !r->text || !*r->text ? "the token limit was reached before any answer (the reasoning used it all)"
		    : "the answer was cut off at the token limit";
		return ST_TRUNCATED;
	}
	if (r->unclosed) {
		*why = "the reasoning never ended: no answer";
		return ST_EMPTY;
	}
	for (const char *p = r->text; p && *p; p++)
		if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
			return ST_OK;
	*why = "the answer is empty";
	return ST_EMPTY;
}

void
buf_reply_text(struct buf *b, const struct reply *r, int status)
{
	if (r->reasoning) {
		buf_adds(b, ",\"reasoning\":");
		buf_json_str_or_null(b, r->reasoning);
	}
	if (r->refusal) {
		buf_adds(b, ",\"refusal\":");
		buf_json_str_or_null(b, r->refusal);
	}
	if (status != ST_OK && r->text && *r->text) {
		buf_adds(b, ",\"partial\":");
		buf_json_str_or_null(b, r->text);
	}
}

void
buf_usage(struct buf *b, const struct reply *r)
{
	if (r->prompt_tokens < 0 && r->completion_tokens < 0) {
		buf_adds(b, "null");
		return;
	}
	buf_printf(b, "{\"prompt_tokens\":%ld,\"completion_tokens\":%ld", r->prompt_tokens, r->completion_tokens);
	if (r->reasoning_tokens >= 0)
		buf_printf(b, ",\"reasoning_tokens\":%ld", r->reasoning_tokens);
	if (r->cached_tokens >= 0)
		buf_printf(b, ",\"cached_tokens\":%ld", r->cached_tokens);
	buf_addc(b, '}');
}

void
reply_free(struct reply *r)
{
	free(r->text);
	free(r->reasoning);
	free(r->refusal);
	free(r->served_model);
	free(r->finish_reason);
	reply_clear(r);
}
