/* json.c: validating raw JSON text without building it, member iteration,
 * string quoting and exact number printing. The record tools keep every value
 * they do not own as the bytes they read, so these work on text, not trees. */
#include <math.h>
#include <stdio.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "pt.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#define DIGIT(c) ((c) >= '0' && (c) <= '9')

/* Eight bytes at a time: whether a word holds a byte below 0x20, a quote or
 * a backslash (the exact "has zero byte" tests of Hacker's Delight). */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
#define HASZERO(x) (((x) - ONES) & ~(x) & HIGHS)
#define HASLESS(x, n) (((x) - ONES * (n)) & ~(x) & HIGHS)

static inline int
special8(const unsigned char *q)
{
	unsigned long long w;
	memcpy(&w, q, 8);
	return (HASLESS(w, 0x20) | HASZERO(w ^ (ONES * '"')) | HASZERO(w ^ (ONES * '\\')) | (w & HIGHS)) != 0;
}

/* The length of the UTF-8 sequence at q (lead byte >= 0x80) as RFC 3629
 * allows it (no overlong forms, no surrogates, nothing past U+10FFFF), 0 if
 * it is not one, or -1 if it may be one but goes past e. */
int
utf8_len(const unsigned char *q, const unsigned char *e)
{
	unsigned c = q[0], lo = 0x80, hi = 0xbf;
	int n;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	for (int i = 1; i < n; i++) {
		if (q + i >= e)
			return -1;
		if (q[i] < (i == 1 ? lo : 0x80) || q[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return n;
}

/* Whether r starts \uDC00-\uDFFF: 1, 0, or -1 when e comes first. */
static int
low_surrogate(const unsigned char *r, const unsigned char *e)
{
	for (int i = 0; i < 6; i++) {
		if (r + i >= e)
			return -1;
		if (i < 2 ? r[i] != "\\u"[i] : hexval(r[i]) < 0)
			return 0;
	}
	return hexval(r[2]) == 0xd && hexval(r[3]) >= 0xc;
}

/* Scans the string body after the opening quote; returns the offset past the
 * closing quote, or -1 (more input needed) or -2 (bad, *errp set). Sets *esc
 * if the string holds an escape. */
static inline __attribute__((always_inline)) long
scan_string(const unsigned char *p, const unsigned char *e, const char **errp, int *esc)
{
	const unsigned char *q = p;
	for (;;) {
#ifdef __SSE2__
		/* sixteen bytes a step: the first quote, backslash or control byte */
		const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1f);
		for (;;) {
			if (e - q < 16)
				goto tail;
			__m128i v = _mm_loadu_si128((const __m128i *)q);
			__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
			    _mm_cmpeq_epi8(_mm_subs_epu8(v, c1f), _mm_setzero_si128()));
			int m = _mm_movemask_epi8(hit) | _mm_movemask_epi8(v);   /* and bytes >= 0x80 */
			if (m) {
				q += __builtin_ctz((unsigned)m);
				goto found;
			}
			q += 16;
		}
tail:
#endif
		while (e - q >= 8 && !special8(q))
			q += 8;
		while (q < e && *q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\')
			q++;
		if (q >= e)
			return -1;
#ifdef __SSE2__
found:
#endif
		if (*q == '"')
			return q + 1 - p;
		if (*q >= 0x80) {
			int n = utf8_len(q, e);
			if (n < 0)
				return -1;
			if (n == 0) {
				*errp = "invalid UTF-8 in string";
				return -2;
			}
			q += n;
			continue;
		}
		if (*q < 0x20) {
			*errp = *q == '\n' ? "unterminated string" : "control character in string";
			return -2;
		}
		/* backslash */
		*esc = 1;
		if (q + 1 >= e)
			return -1;
		switch (q[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			q += 2;
			break;
		case 'u':
			if (q + 6 > e)
				return -1;
			for (int i = 2; i < 6; i++)
				if (hexval(q[i]) < 0) {
					*errp = "invalid \\u escape in string";
					return -2;
				}
			if (hexval(q[2]) == 0xd && hexval(q[3]) >= 8 && hexval(q[3]) < 0xc) {
				/* a high surrogate needs its low one, as jq 1.6 reads it */
				int low = low_surrogate(q + 6, e);
				if (low < 0)
					return -1;
				if (!low) {
					*errp = "invalid \\uXXXX\\uXXXX surrogate pair escape";
					return -2;
				}
				q += 6;
			}
			q += 6;
			break;
		default:
			*errp = "invalid escape in string";
			return -2;
		}
	}
}

/* One or more digits at *qp (advanced past them): 0, 1 if the text ended
 * first, 2 if there is no digit. */
static int
digits(const unsigned char **qp, const unsigned char *e)
{
	const unsigned char *q = *qp;
	if (q >= e)
		return 1;
	if (!DIGIT(*q))
		return 2;
	while (q < e && DIGIT(*q))
		q++;
	*qp = q;
	return 0;
}

/* Scans a number; returns its length, -1 if it may continue past e, -2 if bad. */
static long
scan_number(const unsigned char *p, const unsigned char *e, int eof, const char **errp)
{
	const unsigned char *q = p;
	int k = 0;
	if (q < e && *q == '-')
		q++;
	if (q < e && *q == '0')
		q++;
	else if ((k = digits(&q, e)) != 0)
		goto end;
	if (q < e && *q == '.') {
		q++;
		if ((k = digits(&q, e)) != 0)
			goto end;
	}
	if (q < e && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < e && (*q == '+' || *q == '-'))
			q++;
		if ((k = digits(&q, e)) != 0)
			goto end;
	}
	if (q >= e && !eof)
		return -1;
	return q - p;
end:
	if (k == 1 && !eof)
		return -1;
	*errp = "invalid number";
	return -2;
}

int
json_scan(const char *s, size_t n, int eof, int stop_nl, size_t *startp, size_t *endp,
    long *nlp, const char **errp, struct json_index *ix)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n, *base = p;
	int pending = 0;   /* a top-level member's value is being scanned */
	char stack[JSON_MAX_DEPTH];
	int depth = 0, nobj = 0;   /* nobj: the objects among them */
	long nl = 0, k;
	int esc;
	const char *lit;

#define WS() do { \
	if (p < e && *p > ' ') \
		break;   /* compact JSON: no whitespace here */ \
	for (; p < e; p++) { \
		if (*p == '\n') { \
			if (stop_nl && depth > 0) { *errp = "unexpected end of line"; goto bad; } \
			nl++; \
		} else if (*p != ' ' && *p != '\t' && *p != '\r') \
			break; \
	} \
	if (p >= e) goto more; \
} while (0)

	WS();
	*startp = (const char *)p - s;
	base = p;
	if (ix)
		ix->n = *p == '{' ? 0 : -1;
value:
	switch (*p) {
	case '{':
	case '[':
		/* jq 1.6's limit: its parser's stack holds 256 entries, a
		 * container one and an object's key one more */
		if (depth + nobj >= JSON_MAX_DEPTH) {
			*errp = "nesting deeper than 256 levels";
			goto bad;
		}
		nobj += *p == '{';
		stack[depth++] = (char)*p++;
		WS();
		if (*p == (stack[depth - 1] == '{' ? '}' : ']')) {
			p++;
			nobj -= stack[--depth] == '{';
			goto after;
		}
		if (stack[depth - 1] == '{')
			goto key;
		goto value;
	case '"':
		k = scan_string(p + 1, e, errp, &esc);
		if (k == -1)
			goto more;
		if (k == -2)
			goto bad;
		p += 1 + k;
		goto after;
	case 't': lit = "true"; goto literal;
	case 'f': lit = "false"; goto literal;
	case 'n': lit = "null"; goto literal;
	default:
		if (*p == '-' || DIGIT(*p)) {
			k = scan_number(p, e, eof, errp);
			if (k == -1)
				goto more;
			if (k == -2)
				goto bad;
			p += k;
			goto after;
		}
		*errp = depth ? "unexpected character" : "not a JSON value";
		goto bad;
	}
literal:
	for (size_t i = 0; lit[i]; i++, p++) {
		if (p >= e) {
			if (eof)
				break;
			goto more;
		}
		if (*p != (unsigned char)lit[i])
			break;
		if (!lit[i + 1]) {
			p++;
			goto after;
		}
	}
	*errp = depth ? "invalid literal" : "not a JSON value";
	goto bad;
key:
	if (*p != '"') {
		*errp = "expected a string key";
		goto bad;
	}
	esc = 0;
	k = scan_string(p + 1, e, errp, &esc);
	if (k == -1)
		goto more;
	if (k == -2)
		goto bad;
	if (ix && depth == 1 && ix->n >= 0) {
		if (ix->n == JSON_INDEX_MAX)
			ix->n = -1;
		else {
			ix->m[ix->n].key = (unsigned)(p + 1 - base);
			ix->m[ix->n].keylen = (unsigned)(k - 1);
			ix->m[ix->n].esc = (unsigned)esc;
		}
	}
	p += 1 + k;
	WS();
	if (*p != ':') {
		*errp = "expected ':' after key";
		goto bad;
	}
	p++;
	WS();
	if (ix && depth == 1 && ix->n >= 0) {
		ix->m[ix->n].val = (unsigned)(p - base);
		pending = 1;
	}
	goto value;
after:
	if (pending && depth == 1) {
		ix->m[ix->n].vallen = (unsigned)(p - base) - ix->m[ix->n].val;
		ix->n++;
		pending = 0;
	}
	if (depth == 0) {
		*endp = (const char *)p - s;
		*nlp = nl;
		return JS_OK;
	}
	WS();
	if (*p == ',') {
		p++;
		WS();
		if (stack[depth - 1] == '{')
			goto key;
		goto value;
	}
	if (*p == (stack[depth - 1] == '{' ? '}' : ']')) {
		p++;
		nobj -= stack[--depth] == '{';
		goto after;
	}
	*errp = stack[depth - 1] == '{' ? "expected ',' or '}'" : "expected ',' or ']'";
	goto bad;
more:
	*nlp = nl;
	*endp = (const char *)p - s;
	return JS_MORE;
bad:
	*nlp = nl;
	*endp = (const char *)p - s;
	return JS_BAD;
#undef WS
}

const char *
json_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* Skips a string starting at its opening quote. */
static const char *
skip_string(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		const char *q = memchr(p, '"', (size_t)(e - p));
		if (!q)
			return e;
		/* count the backslashes before the quote */
		const char *b = q;
		while (b > p && b[-1] == '\\')
			b--;
		if (((q - b) & 1) == 0)
			return q + 1;
		p = q;
	}
	return e;
}

static const unsigned char delim[256] = {
	[','] = 1, [']'] = 1, ['}'] = 1, [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
};

const char *
json_skip(const char *p, const char *e)
{
	int depth = 0;
	p = json_ws(p, e);
	do {
		if (p >= e)
			return e;
		switch (*p) {
		case '"':
			p = skip_string(p, e);
			break;
		case '{':
		case '[':
			depth++;
			p++;
			break;
		case '}':
		case ']':
			depth--;
			p++;
			break;
		default:
			if (depth == 0) {
				/* scalar at top level: runs until a delimiter */
				while (p < e && !delim[(unsigned char)*p])
					p++;
				return p;
			}
			p++;
		}
	} while (depth > 0);
	return p;
}

int
json_members(const char *p, const char *e, const char **it, struct json_member *m)
{
	const char *q = *it ? *it : json_ws(p, e) + 1;
	q = json_ws(q, e);
	if (q < e && *q == ',')
		q = json_ws(q + 1, e);
	if (q >= e || *q != '"')
		return 0;
	const char *ke = skip_string(q, e);
	m->key = q + 1;
	m->keylen = (size_t)(ke - 1 - m->key);
	q = json_ws(ke, e);
	q = json_ws(q + 1, e);   /* past ':' */
	m->val = q;
	q = json_skip(q, e);
	m->vallen = (size_t)(q - m->val);
	*it = q;
	return 1;
}

int
json_key_eq_escaped(const char *key, size_t keylen, const char *s, size_t slen)
{
	struct buf b = { 0 };
	buf_addc(&b, '"');
	buf_add(&b, key, keylen);
	buf_addc(&b, '"');
	struct buf d = { 0 };
	json_unquote(b.p, b.p + b.len, &d);
	int eq = d.len == slen && memcmp(d.p, s, slen) == 0;
	free(b.p);
	free(d.p);
	return eq;
}

static void
put_utf8(struct buf *b, unsigned long c)
{
	if (c < 0x80) {
		buf_addc(b, (int)c);
	} else if (c < 0x800) {
		buf_addc(b, 0xc0 | (int)(c >> 6));
		buf_addc(b, 0x80 | (int)(c & 0x3f));
	} else if (c < 0x10000) {
		buf_addc(b, 0xe0 | (int)(c >> 12));
		buf_addc(b, 0x80 | (int)((c >> 6) & 0x3f));
		buf_addc(b, 0x80 | (int)(c & 0x3f));
	} else {
		buf_addc(b, 0xf0 | (int)(c >> 18));
		buf_addc(b, 0x80 | (int)((c >> 12) & 0x3f));
		buf_addc(b, 0x80 | (int)((c >> 6) & 0x3f));
		buf_addc(b, 0x80 | (int)(c & 0x3f));
	}
}

static unsigned long
hex4(const char *p)
{
	return (unsigned long)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

int
json_unquote(const char *p, const char *e, struct buf *b)
{
	p = json_ws(p, e);
	if (p >= e || *p != '"')
		return 0;
	for (p++; p < e && *p != '"'; p++) {
		if (*p != '\\') {
			buf_addc(b, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'b': buf_addc(b, '\b'); break;
		case 'f': buf_addc(b, '\f'); break;
		case 'n': buf_addc(b, '\n'); break;
		case 'r': buf_addc(b, '\r'); break;
		case 't': buf_addc(b, '\t'); break;
		case 'u': {
			unsigned long c = hex4(p + 1);
			p += 4;
			if (c >= 0xd800 && c < 0xdc00 && p + 6 < e && p[1] == '\\' && p[2] == 'u') {
				unsigned long lo = hex4(p + 3);
				if (lo >= 0xdc00 && lo < 0xe000) {
					c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
					p += 6;
				} else
					c = 0xfffd;
			} else if (c >= 0xd800 && c < 0xe000)
				c = 0xfffd;
			put_utf8(b, c);
			break;
		}
		default: buf_addc(b, *p);
		}
	}
	buf_cstr(b);
	return 1;
}

/* nul: the two bytes C0 80 (how json_mark_nul keeps an escaped NUL in a C
 * string) are written \u0000 again. */
static void
quote(struct buf *b, const char *s, size_t n, int nul)
{
	static const char hex[] = "0123456789abcdef";
	buf_grow(b, n + 2);
	buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (nul && c == 0xc0 && i + 1 < n && (unsigned char)s[i + 1] == 0x80) {
			buf_adds(b, "\\u0000");
			i++;
			continue;
		}
		if (c >= 0x80) {
			/* a valid sequence as it is; any other byte as U+FFFD, as jq does */
			const unsigned char *q = (const unsigned char *)s + i;
			int len = utf8_len(q, (const unsigned char *)s + n);
			if (len > 0) {
				buf_add(b, s + i, (size_t)len);
				i += (size_t)len - 1;
			} else
				buf_adds(b, "\xef\xbf\xbd");
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
			buf_addc(b, c);
			continue;
		}
		buf_addc(b, '\\');
		switch (c) {
		case '"': buf_addc(b, '"'); break;
		case '\\': buf_addc(b, '\\'); break;
		case '\b': buf_addc(b, 'b'); break;
		case '\f': buf_addc(b, 'f'); break;
		case '\n': buf_addc(b, 'n'); break;
		case '\r': buf_addc(b, 'r'); break;
		case '\t': buf_addc(b, 't'); break;
		default:
			buf_adds(b, "u00");
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
	buf_addc(b, '"');
}

/* The shortest %.Ng text that reads back as x (N = 1..17); "null" for NaN
 * and infinities, which JSON cannot hold. */
int
num_fmt(char *out, size_t size, double x)
{
	if (!isfinite(x))
		return snprintf(out, size, "null");
	if (x == floor(x) && fabs(x) < 1e17)
		return snprintf(out, size, "%.0f", x);   /* integers in full, no exponent */
	for (int prec = 1; prec <= 17; prec++) {
		int n = snprintf(out, size, "%.*g", prec, x);
		if (prec == 17 || strtod(out, NULL) == x)
			return n;
	}
	return 0;
}

void
buf_num(struct buf *b, double x)
{
	char tmp[40];
	int n = num_fmt(tmp, sizeof tmp, x);
	buf_add(b, tmp, (size_t)n);
}

/* The value of a JSON number's text: Clinger's fast path when the digits fit
 * in 2^53 and the power of ten is exact (the one IEEE division is then
 * correctly rounded, so the result equals strtod's), else strtod. */
double
json_number(const char *p, size_t n)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *q = p, *e = p + n;
	unsigned long long m = 0;
	int neg = 0, digits = 0, frac = 0;
	if (q < e && *q == '-') {
		neg = 1;
		q++;
	}
	for (; q < e && *q >= '0' && *q <= '9'; q++, digits++)
		m = m * 10 + (unsigned)(*q - '0');
	if (q < e && *q == '.')
		for (q++; q < e && *q >= '0' && *q <= '9'; q++, digits++, frac++)
			m = m * 10 + (unsigned)(*q - '0');
	if (q == e && digits > 0 && digits <= 15 && frac <= 22) {
		double v = (double)m / pow10[frac];
		return neg ? -v : v;
	}
	char tmp[64];
	if (n < sizeof tmp) {
		memcpy(tmp, p, n);
		tmp[n] = 0;
		return strtod(tmp, NULL);
	}
	char *big = estrndup(p, n);
	double v = strtod(big, NULL);
	free(big);
	return v;
}

void
json_quote(struct buf *b, const char *s, size_t n)
{
	quote(b, s, n, 0);
}

void
json_quote_marked(struct buf *b, const char *s, size_t n)
{
	quote(b, s, n, 1);
}

void
buf_json_str_or_null(struct buf *b, const char *s)
{
	if (s)
		quote(b, s, strlen(s), 1);
	else
		buf_adds(b, "null");
}

char *
json_mark_nul(const char *p, size_t n, size_t *outn)
{
	if (!memmem(p, n, "\\u0000", 6))
		return NULL;
	char *o = emalloc(n + 1), *w = o;
	int in_str = 0;
	for (size_t i = 0; i < n; i++) {
		if (!in_str) {
			in_str = p[i] == '"';
			*w++ = p[i];
		} else if (p[i] == '\\' && i + 5 < n && memcmp(p + i, "\\u0000", 6) == 0) {
			*w++ = (char)0xc0;
			*w++ = (char)0x80;
			i += 5;
		} else if (p[i] == '\\' && i + 1 < n) {
			*w++ = p[i++];
			*w++ = p[i];
		} else {
			in_str = p[i] != '"';
			*w++ = p[i];
		}
	}
	*w = 0;
	*outn = (size_t)(w - o);
	return o;
}
