/* wire.c: request bodies and replies of the three wire formats.
 * OpenAI chat completions (also vLLM, llama.cpp, Ollama, OpenRouter) and Azure
 * share a body; Anthropic's messages API takes the system prompt as a
 * top-level field and requires max_tokens. */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "pt.h"

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
	cJSON *v = cJSON_ParseWithLengthOpts(eq + 1, strlen(eq + 1) + 1, NULL, 1);
	if (!v)
		usage_error("--param %.*s: invalid JSON '%s'", (int)(eq - kv), kv, eq + 1);
	cJSON_Delete(v);
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
		json_quote(b, c->valuestring, strlen(c->valuestring));
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
	cJSON *arr = cJSON_ParseWithLengthOpts(msgs, len, NULL, 0);
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
			buf_adds(&sys, content->valuestring);
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
		json_quote(&b, sys.p, sys.len);
	}
	if (s->has_max_tokens || api == API_ANTHROPIC)
		buf_printf(&b, ",\"max_tokens\":%ld", s->has_max_tokens ? s->max_tokens : 4096L);
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

int
wire_reply(int api, const char *body, size_t len, struct reply *r, const char **err)
{
	cJSON *o = cJSON_ParseWithLengthOpts(body, len, NULL, 0);
	int st = WIRE_OK;
	memset(r, 0, sizeof *r);
	r->prompt_tokens = r->completion_tokens = -1;
	if (!cJSON_IsObject(o)) {
		*err = "reply is not a JSON object";
		cJSON_Delete(o);
		return WIRE_RETRY;
	}
	r->served_model = str_or_null(o, "model");
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(o, "usage");
	if (api == API_ANTHROPIC) {
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(o, "content");
		r->finish_reason = str_or_null(o, "stop_reason");
		r->prompt_tokens = num_or(usage, "input_tokens");
		r->completion_tokens = num_or(usage, "output_tokens");
		if (!cJSON_IsArray(content)) {
			*err = "reply has no content";
			st = WIRE_RETRY;
		} else {
			struct buf t = { 0 };
			int any = 0;
			for (const cJSON *c = content->child; c; c = c->next) {
				const cJSON *type = cJSON_GetObjectItemCaseSensitive(c, "type");
				const cJSON *text = cJSON_GetObjectItemCaseSensitive(c, "text");
				if (cJSON_IsString(type) && strcmp(type->valuestring, "text") == 0 && cJSON_IsString(text)) {
					buf_adds(&t, text->valuestring);
					any = 1;
				}
			}
			if (any)
				r->text = buf_cstr(&t);
			else {
				*err = "reply has no text content";
				st = WIRE_BAD;
			}
		}
	} else {
		const cJSON *choices = cJSON_GetObjectItemCaseSensitive(o, "choices");
		const cJSON *c0 = cJSON_IsArray(choices) ? choices->child : NULL;
		r->prompt_tokens = num_or(usage, "prompt_tokens");
		r->completion_tokens = num_or(usage, "completion_tokens");
		if (!cJSON_IsObject(c0)) {
			*err = "reply has no choices";
			st = WIRE_RETRY;
		} else {
			const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c0, "message");
			r->finish_reason = str_or_null(c0, "finish_reason");
			r->text = str_or_null(msg, "content");
			if (!r->text) {
				*err = "reply has no message content";
				st = WIRE_BAD;
			}
		}
	}
	cJSON_Delete(o);
	return st;
}

void
reply_free(struct reply *r)
{
	free(r->text);
	free(r->served_model);
	free(r->finish_reason);
	memset(r, 0, sizeof *r);
}
