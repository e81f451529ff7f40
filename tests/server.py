#!/usr/bin/env python3
"""tests/server.py: the local test server for pt-infer and pt-judge.

Speaks the OpenAI chat-completions (also Azure's deployment URLs) and the
Anthropic messages formats on loopback, on a port chosen at start (written to
--port-file). Answers are deterministic from the request. Faults come on
demand from a directive anywhere in the messages' text,

    [[pt: fail=429; times=2; retry_after=1; delay=50; reply=TEXT]]

or at random rates for soaks (--faults 429=0.1,500=0.05,reset=0.02,...),
drawn from the request body and attempt number so a run is repeatable.
Every request is logged as one JSON line to --log: path, query, the headers a
test checks, the body, the attempt number and how many were in flight.

fail: 400 401 408 409 429 500 503 529 (HTTP status), reset (TCP reset),
hang (no answer for --hang seconds), truncate (body shorter than its
Content-Length), badjson (200 with invalid JSON), nochoices (200 without
choices/content), nocontent (200 whose answer is null). retry_after: seconds,
retry_after_date: seconds ahead as an HTTP date, retry_after_ms.
reply: the answer text (rest of the directive). judge=SCORE answers as a judge
with {"score": SCORE, "justification": ...}; judge={"model": SCORE, ...} gives
each judge model its own score. route=TASK answers pt-judge's router.
fixture=NAME answers with tests/fixtures/replies/NAME.json: the status,
headers and body of a real server's reply, written from its documentation
(with times=N, only the first N attempts; then the default answer).
"""
import argparse, email.utils, hashlib, http.server, json, random, re, socket, struct
import sys, threading, time, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import persona

DIRECTIVE = re.compile(r"\[\[pt:(.*?)\]\]", re.S)
lock = threading.Lock()
attempts = {}
inflight = 0
seq = 0
args = None
logf = None


class Bucket:
    """An enforced rate limit: `size` units, refilled at size per minute."""
    def __init__(self, per_minute, burst):
        self.size, self.rate = burst, per_minute / 60.0
        self.level, self.t = float(burst), time.time()

    def refill(self):
        now = time.time()
        self.level = min(self.size, self.level + (now - self.t) * self.rate)
        self.t = now

    def wait(self, cost):
        return 0.0 if self.level >= cost else (cost - self.level) / self.rate

    def headers(self, kind, anthropic):
        # the limit per minute, what remains now, when it is full again
        full_in = (self.size - self.level) / self.rate
        limit, remaining = str(int(self.rate * 60)), str(max(0, int(self.level)))
        if anthropic:   # RFC 3339 times (docs.anthropic.com/en/api/rate-limits)
            reset = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + full_in)) + "Z"
            return [("anthropic-ratelimit-%s-limit" % kind, limit),
                    ("anthropic-ratelimit-%s-remaining" % kind, remaining),
                    ("anthropic-ratelimit-%s-reset" % kind, reset)]
        # OpenAI (platform.openai.com/docs/guides/rate-limits): durations such as 6m0s, 20ms
        return [("x-ratelimit-limit-%s" % kind, limit), ("x-ratelimit-remaining-%s" % kind, remaining),
                ("x-ratelimit-reset-%s" % kind, "%dms" % int(full_in * 1000))]


buckets = {}


def parse_directive(text):
    m = DIRECTIVE.search(text)
    if not m:
        return {}
    d, body = {}, m.group(1)
    r = body.find("reply=")
    if r >= 0:
        d["reply"] = body[r + 6:]
        body = body[:r]
    for part in body.split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            d[k.strip()] = v.strip()
    return d


def message_text(body):
    parts = []
    if isinstance(body.get("system"), str):
        parts.append(body["system"])
    for m in body.get("messages") or []:
        c = m.get("content") if isinstance(m, dict) else None
        parts.append(c if isinstance(c, str) else json.dumps(c))
    return "\n".join(parts)


def default_answer(text):
    return "Answer " + hashlib.sha256(text.encode()).hexdigest()[:12]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, code, obj, headers=()):
        self.send_bytes(code, json.dumps(obj).encode(), headers=headers)

    def send_bytes(self, code, data, length=None, headers=()):
        """A reply whose Content-Length may promise more than is sent (length)."""
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for k, v in list(headers) + getattr(self, "limit_headers", []):
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.send_json(200, {"object": "list", "data": [{"id": "test-model", "object": "model"}]})

    def do_POST(self):
        global inflight, seq
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        path, _, query = self.path.partition("?")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        key = hashlib.sha256(raw).hexdigest()
        with lock:
            inflight += 1
            seq += 1
            attempts[key] = attempts.get(key, 0) + 1
            attempt = attempts[key]
            entry = {"n": seq, "path": path, "query": query, "attempt": attempt, "inflight": inflight,
                     "t": time.time(),
                     "headers": {k.lower(): v for k, v in self.headers.items()
                                 if k.lower() in ("authorization", "api-key", "x-api-key",
                                                  "anthropic-version", "content-type", "expect", "user-agent")},
                     "body": body if body is not None else raw.decode("utf-8", "replace")}
            if logf:
                logf.write(json.dumps(entry) + "\n")
                logf.flush()
        try:
            self.answer(path, body, key, attempt)
        finally:
            with lock:
                inflight -= 1

    def answer(self, path, body, key, attempt):
        anthropic = path.endswith("/messages")
        if not (anthropic or path.endswith("/chat/completions")) or not isinstance(body, dict):
            return self.send_json(404 if not isinstance(body, dict) is False else 400,
                                  {"error": {"message": "unknown path or bad body", "type": "invalid_request_error"}})
        self.limit_headers = []
        if buckets:
            # the enforced limits: a request costs 1 and its tokens (body/4 + max tokens)
            cost = {"requests": 1, "tokens": len(json.dumps(body)) / 4 +
                    (body.get("max_tokens") or body.get("max_completion_tokens") or 0)}
            with lock:
                for b in buckets.values():
                    b.refill()
                wait = max(b.wait(cost[k]) for k, b in buckets.items())
                if wait == 0:
                    for k, b in buckets.items():
                        b.level -= cost[k]
                for k, b in buckets.items():
                    self.limit_headers += b.headers(k, anthropic)
            if wait > 0:
                return self.send_json(429, {"error": {"message": "Rate limit reached", "type": "requests",
                                                      "code": "rate_limit_exceeded"}},
                                      [("retry-after-ms", str(int(wait * 1000) + 1)),
                                       ("retry-after", str(int(wait) + 1))])
        text = message_text(body)
        d = parse_directive(text)
        fail = d.get("fail")
        if fail and attempt > int(d.get("times", "1")):
            fail = None
        if not fail and args.faults:
            rnd = random.Random(key + ":" + str(attempt) + ":" + str(args.seed))
            x = rnd.random()
            for name, rate in args.faults:
                if x < rate:
                    fail = name
                    d.setdefault("retry_after", "1" if name == "429" else None)
                    break
                x -= rate
        delay = float(d.get("delay", 0)) / 1000 + args.latency / 1000
        if delay:
            time.sleep(delay)
        if fail:
            return self.fault(fail, d)
        if "fixture" in d and attempt <= int(d.get("times", "1000000")):
            # a real server's reply, from tests/fixtures/replies/NAME.json (times=N: the first N attempts)
            fx = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "replies",
                                             d["fixture"] + ".json")))
            return self.send_json(fx.get("status", 200), fx["body"], list(fx.get("headers", {}).items()))
        if args.persona and not d:
            reply = persona.reply(body)
            return self.send_answer(anthropic, body, key, text, reply, d)
        router = (body.get("messages") or [{}])[0].get("content", "").startswith("You route")
        if router and "route" in d:
            reply = json.dumps({"task": d["route"]})
        elif "judge" in d:
            score = json.loads(d["judge"])
            if isinstance(score, dict):     # one score per judge model
                score = score.get(body.get("model"))
            reply = json.dumps({"score": score, "justification": "scripted judge " + str(body.get("model"))})
        elif "reply" in d:
            reply = d["reply"]
        else:
            reply = default_answer(text)
        if fail is None and d.get("nocontent"):
            reply = None
        return self.send_answer(anthropic, body, key, text, reply, d)

    def send_answer(self, anthropic, body, key, text, reply, d):
        model = body.get("model", "")
        pt = len(text.split())
        ct = len(reply.split()) if reply else 0
        if anthropic:
            obj = {"id": "msg_" + key[:12], "type": "message", "role": "assistant", "model": model,
                   "content": [{"type": "text", "text": reply}], "stop_reason": "end_turn",
                   "usage": {"input_tokens": pt, "output_tokens": ct}}
        else:
            obj = {"id": "chatcmpl-" + key[:12], "object": "chat.completion", "created": 0, "model": model,
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                                "finish_reason": d.get("finish", "stop")}],
                   "usage": {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}}
        self.send_json(200, obj)

    def fault(self, fail, d):
        if fail.isdigit():
            headers = []
            if d.get("retry_after"):
                headers.append(("Retry-After", d["retry_after"]))
            if d.get("retry_after_date"):
                headers.append(("Retry-After", email.utils.formatdate(time.time() + float(d["retry_after_date"]),
                                                                      usegmt=True)))
            if d.get("retry_after_ms"):
                headers.append(("retry-after-ms", d["retry_after_ms"]))
            msg = "scripted failure " + fail
            if fail == "401":   # as real servers do, echo the key presented
                msg = "Incorrect API key provided: " + (self.headers.get("Authorization") or
                                                        self.headers.get("api-key") or self.headers.get("x-api-key") or "")
            return self.send_json(int(fail), {"error": {"message": msg, "type": "test_error"}}, headers)
        if fail == "redirect":   # to another host: a client must not follow it with the key
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.2:9/v1/chat/completions")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if fail == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fail == "hang":
            time.sleep(args.hang)
            self.close_connection = True
            return
        if fail == "truncate":
            data = b'{"id":"x","object":"chat.completion","choices":[{"index":0,"mess'
            self.send_bytes(200, data, length=len(data) + 100)
            self.wfile.flush()
            self.close_connection = True
            return
        if fail == "badjson":
            return self.send_bytes(200, b"{this is not json")
        if fail == "nochoices":
            return self.send_json(200, {"id": "x", "object": "chat.completion"})
        return self.send_json(500, {"error": {"message": "unknown fault " + fail}})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


def main():
    global args, logf
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--faults", default="")
    p.add_argument("--seed", default="0")
    p.add_argument("--latency", type=float, default=0)
    p.add_argument("--hang", type=float, default=30)
    p.add_argument("--tls", help="DIR with cert.pem and key.pem: serve HTTPS")
    p.add_argument("--persona", help="a knowledge-base JSON for the scripted clinical persona (tests/persona.py)")
    p.add_argument("--lifetime", type=float, default=900, help="exit after this many seconds")
    p.add_argument("--limit-rpm", type=float, help="enforce a request rate limit (token bucket) with rate-limit headers")
    p.add_argument("--limit-tpm", type=float, help="enforce a token rate limit the same way")
    p.add_argument("--burst", type=float, default=10, help="the request bucket's size (default 10)")
    args = p.parse_args()
    if args.persona:
        persona.load(args.persona)
    args.faults = [(k, float(v)) for k, v in (f.split("=") for f in args.faults.split(",") if f)]
    if args.limit_rpm:
        buckets["requests"] = Bucket(args.limit_rpm, args.burst)
    if args.limit_tpm:
        buckets["tokens"] = Bucket(args.limit_tpm, args.limit_tpm)
    logf = open(args.log, "a") if args.log else None
    srv = Server(("127.0.0.1", 0), Handler)
    if args.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(args.tls, "cert.pem"), os.path.join(args.tls, "key.pem"))
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    threading.Timer(args.lifetime, lambda: os._exit(0)).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
