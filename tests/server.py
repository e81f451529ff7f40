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

Hostile modes (a server not to be trusted): fail=endless (200, a chunked
body that never ends, until the client hangs up or --endless-cap bytes),
fail=bomb (200, gzip that inflates to bomb_mib MiB of spaces, default 64),
fail=bigheader (a header line of 10 MB); headers=NAME:VALUE|NAME:VALUE
(extra reply headers, e.g. rate limits that make no sense); msg=TEXT (an
error's message); pad=N (a 401 quotes the key after N characters).
"""
import argparse, email.utils, hashlib, http.server, json, random, re, socket, struct
import sys, threading, time, os, zlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import persona

DIRECTIVE = re.compile(r"\[\[pt:(.*?)\]\]", re.S)
lock = threading.RLock()
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


def reply_text(body, text, d):
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
    if d.get("nocontent"):
        reply = None
    return reply


def answer_obj(anthropic, body, key, text, reply, d):
    model = body.get("model", "")
    pt = len(text.split())
    ct = len(reply.split()) if reply else 0
    if anthropic:
        return {"id": "msg_" + key[:12], "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": reply}], "stop_reason": "end_turn",
                "usage": {"input_tokens": pt, "output_tokens": ct}}
    return {"id": "chatcmpl-" + key[:12], "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                         "finish_reason": d.get("finish", "stop")}],
            "usage": {"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}}


def fixture(name):
    """A real server's reply, from tests/fixtures/replies/NAME.json."""
    return json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "replies",
                                       name + ".json")))


# The batch APIs, as their documentation describes them:
#   OpenAI  platform.openai.com/docs/guides/batch and /docs/api-reference/batch
#           (also Azure: learn.microsoft.com/azure/ai-foundry/openai/how-to/batch)
#   Anthropic docs.anthropic.com/en/docs/build-with-claude/batch-processing and
#           /en/api/creating-message-batches, /retrieving-message-batches, /retrieving-message-batch-results
# A batch is validating when created, in progress for --batch-polls polls
# (its counts growing), finalizing, then ends as --batch-end says: completed;
# expired or cancelled with the first half answered (OpenAI writes the rest
# to the error file as batch_expired / batch_cancelled, Anthropic as results
# of type expired / canceled); failed (OpenAI: validation failed, errors.data).
# Results come in reverse order. A request whose text has fail=NNN is answered
# HTTP NNN in the error file (Anthropic: an errored result).
files = {}
batches = {}


def batch_result(req, anthropic):
    """(status code, body) for one batch request, as a live request would be answered."""
    body = req["params"] if anthropic else req["body"]
    text = message_text(body)
    d = parse_directive(text)
    key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    if d.get("fail", "").isdigit():
        return int(d["fail"]), {"error": {"message": "scripted failure " + d["fail"], "type": "test_error"}}
    if "fixture" in d:
        fx = fixture(d["fixture"])
        return fx.get("status", 200), fx["body"]
    reply = persona.reply(body) if args.persona and not d else reply_text(body, text, d)
    return 200, answer_obj(anthropic, body, key, text, reply, d)


def batch_view(b, host):
    """The batch object a poll sees; the results are made when it ends."""
    b["polls"] += 1
    n, polls, end = len(b["requests"]), b["polls"], b["end"]
    if polls <= 1:
        st, done = "validating", 0
    elif polls <= 1 + args.batch_polls:
        st, done = "in_progress", n * (polls - 1) // (args.batch_polls + 1)
    elif polls == 2 + args.batch_polls:
        st, done = "finalizing", n
    else:
        st, done = end, n if end == "completed" else n // 2
    ended = polls >= 3 + args.batch_polls
    if ended and "results" not in b:
        res, errs = [], []
        for i, req in enumerate(b["requests"]):
            cid = req["custom_id"]
            if i >= done or end == "failed":
                if b["anthropic"]:
                    res.append({"custom_id": cid, "result": {"type": "canceled" if end == "cancelled" else "expired"}})
                elif end != "failed":
                    code = "batch_cancelled" if end == "cancelled" else "batch_expired"
                    errs.append({"id": "batch_req_%d" % i, "custom_id": cid, "response": {
                        "status_code": 400, "request_id": "req_%d" % i,
                        "body": {"error": {"code": code, "message": "This request could not be executed before "
                                           "the completion window expired."}}}, "error": None})
                continue
            code, body = batch_result(req, b["anthropic"])
            if b["anthropic"]:
                if code == 200:
                    res.append({"custom_id": cid, "result": {"type": "succeeded", "message": body}})
                else:
                    res.append({"custom_id": cid, "result": {"type": "errored", "error": {
                        "type": "error", "error": {"type": "invalid_request_error" if code < 500 else "api_error",
                                                   "message": body["error"]["message"]}}}})
            else:
                line = {"id": "batch_req_%d" % i, "custom_id": cid,
                        "response": {"status_code": code, "request_id": "req_%d" % i, "body": body}, "error": None}
                (res if code == 200 else errs).append(line)
                b["failed"] = b.get("failed", 0) + (code != 200)
        res.reverse()
        b["results"] = res
        if not b["anthropic"]:
            for name, lines in (("output_file_id", res), ("error_file_id", errs)):
                if lines:
                    fid = "file-%s-%s" % (name[:3], b["id"])
                    files[fid] = "".join(json.dumps(l) + "\n" for l in lines).encode()
                    b[name] = fid
    if b["anthropic"]:
        counts = {"processing": n - done if not ended else 0, "succeeded": 0, "errored": 0, "canceled": 0,
                  "expired": 0}
        for r in b.get("results", []):
            counts[r["result"]["type"]] += 1
        if "results" not in b:
            counts["succeeded"] = done
        return {"id": b["id"], "type": "message_batch", "processing_status": "ended" if ended else "in_progress",
                "request_counts": counts, "ended_at": None, "created_at": "2026-11-30T00:00:00Z",
                "expires_at": "2026-12-01T00:00:00Z", "cancel_initiated_at": None,
                "results_url": "http://%s/v1/messages/batches/%s/results" % (host, b["id"]) if ended else None}
    failed = b.get("failed", 0)
    obj = {"id": b["id"], "object": "batch", "endpoint": b["endpoint"], "errors": None,
           "input_file_id": b["input_file_id"], "completion_window": "24h",
           "status": st if not ended else end, "output_file_id": b.get("output_file_id"),
           "error_file_id": b.get("error_file_id"), "created_at": 0,
           "request_counts": {"total": n, "completed": done - failed, "failed": failed}}
    if ended and end == "failed":
        obj["errors"] = {"object": "list", "data": [{"code": "invalid_request", "line": 1,
                                                    "message": "scripted validation failure", "param": None}]}
        obj["request_counts"] = {"total": 0, "completed": 0, "failed": 0}
    return obj


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_endless(self):
        """200 and a chunked body that ends only when the client hangs up
        (or at --endless-cap bytes)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b" " * 65536
        frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        try:
            self.wfile.write(b"5\r\n{\"a\":\r\n")
            for _ in range(args.endless_cap // len(chunk)):
                self.wfile.write(frame)
        except OSError:
            pass
        self.close_connection = True

    def send_json(self, code, obj, headers=()):
        self.send_bytes(code, json.dumps(obj).encode(), headers=headers)

    def send_bytes(self, code, data, length=None, headers=()):
        """A reply whose Content-Length may promise more than is sent (length)."""
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for k, v in list(headers) + getattr(self, "limit_headers", []) + getattr(self, "extra_headers", []):
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def log(self, path, query, body, attempt=1):
        global seq
        with lock:
            seq += 1
            entry = {"n": seq, "method": self.command, "path": path, "query": query, "attempt": attempt,
                     "inflight": inflight, "t": time.time(),
                     "headers": {k.lower(): v for k, v in self.headers.items()
                                 if k.lower() in ("authorization", "api-key", "x-api-key",
                                                  "anthropic-version", "content-type", "expect", "user-agent")},
                     "body": body}
            if logf:
                logf.write(json.dumps(entry) + "\n")
                logf.flush()

    def do_GET(self):
        path, _, query = self.path.partition("?")
        self.log(path, query, None)
        parts = path.strip("/").split("/")
        if args.batch_hostile == "endless" and len(parts) >= 2 and parts[-2] == "batches":
            return self.send_endless()
        with lock:
            if len(parts) >= 3 and parts[-3] == "files" and parts[-1] == "content" and parts[-2] in files:
                return self.send_bytes(200, files[parts[-2]])
            if len(parts) >= 2 and parts[-2] == "batches" and parts[-1] in batches:
                return self.send_json(200, batch_view(batches[parts[-1]], self.headers.get("Host")))
            if len(parts) >= 3 and parts[-1] == "results" and parts[-2] in batches and "results" in batches[parts[-2]]:
                return self.send_bytes(200, "".join(json.dumps(l) + "\n"
                                                    for l in batches[parts[-2]]["results"]).encode())
        if "batches" in parts or "files" in parts:
            return self.send_json(404, {"error": {"message": "no such batch or file", "type": "not_found_error"}})
        self.send_json(200, {"object": "list", "data": [{"id": "test-model", "object": "model"}]})

    def batch_post(self, path, query, raw):
        """POST /files (multipart), /batches, /messages/batches."""
        with lock:
            nid = "%d" % (len(batches) + len(files) + 1)
            if path.endswith("/files"):
                ctype = self.headers.get("Content-Type", "")
                boundary = ctype.split("boundary=")[-1].strip('"').encode()
                data, purpose = None, None
                for part in raw.split(b"--" + boundary):
                    head, _, content = part.partition(b"\r\n\r\n")
                    content = content[:-2] if content.endswith(b"\r\n") else content
                    if b'name="file"' in head:
                        data = content
                    elif b'name="purpose"' in head:
                        purpose = content.decode()
                if data is None or purpose != "batch":
                    return self.send_json(400, {"error": {"message": "expected purpose=batch and a file",
                                                          "type": "invalid_request_error"}})
                files["file-" + nid] = data
                self.log(path, query, {"purpose": purpose, "lines": data.count(b"\n")})
                return self.send_json(200, {"id": "file-" + nid, "object": "file", "bytes": len(data),
                                            "created_at": 0, "filename": "pt-batch.jsonl", "purpose": "batch"})
            body = json.loads(raw)
            anthropic = path.endswith("/messages/batches")
            if anthropic:
                reqs, bid = body["requests"], "msgbatch_" + nid
                entry = {"requests": reqs}
            else:
                data = files.get(body.get("input_file_id"))
                if data is None or body.get("completion_window") != "24h":
                    return self.send_json(400, {"error": {"message": "no such input file, or not 24h",
                                                          "type": "invalid_request_error"}})
                reqs, bid = [json.loads(l) for l in data.decode().splitlines() if l], "batch_" + nid
                entry = dict(body)
            nth = sum(1 for x in batches.values() if x["anthropic"] == anthropic)
            end = args.batch_end if args.batch_end_count is None or nth < args.batch_end_count else "completed"
            batches[bid] = {"id": bid, "anthropic": anthropic, "requests": reqs, "polls": 0, "end": end,
                            "endpoint": body.get("endpoint"), "input_file_id": body.get("input_file_id")}
            self.log(path, query, entry)
            return self.send_json(200, batch_view(batches[bid], self.headers.get("Host")))

    def do_POST(self):
        global inflight
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        path, _, query = self.path.partition("?")
        if "/nobatch/" in path:   # a server without the batch API (vLLM serve, FastAPI's 404)
            self.log(path, query, None)
            return self.send_json(404, {"detail": "Not Found"})
        if path.endswith("/files") or path.endswith("/batches"):
            return self.batch_post(path, query, raw)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        key = hashlib.sha256(raw).hexdigest()
        with lock:
            inflight += 1
            attempts[key] = attempts.get(key, 0) + 1
            attempt = attempts[key]
            self.log(path, query, body if body is not None else raw.decode("utf-8", "replace"), attempt)
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
        self.extra_headers = [tuple(h.split(":", 1)) for h in d.get("headers", "").split("|") if ":" in h]
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
            fx = fixture(d["fixture"])
            return self.send_json(fx.get("status", 200), fx["body"], list(fx.get("headers", {}).items()))
        if args.persona and not d:
            return self.send_answer(anthropic, body, key, text, persona.reply(body), d)
        return self.send_answer(anthropic, body, key, text, reply_text(body, text, d), d)

    def send_answer(self, anthropic, body, key, text, reply, d):
        self.send_json(200, answer_obj(anthropic, body, key, text, reply, d))

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
            msg = d.get("msg", "scripted failure " + fail)
            if fail == "401":   # as real servers do, echo the key presented
                msg = "x" * int(d.get("pad", "0")) + "Incorrect API key provided: " + (
                    self.headers.get("Authorization") or self.headers.get("api-key") or
                    self.headers.get("x-api-key") or "")
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
        if fail == "endless":
            return self.send_endless()
        if fail == "bomb":
            data = bomb(int(d.get("bomb_mib", "64")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except OSError:
                pass
            self.close_connection = True
            return
        if fail == "bigheader":
            self.send_response(200)
            self.send_header("X-Big", "x" * 10000000)
            self.send_header("Content-Length", "2")
            self.end_headers()
            try:
                self.wfile.write(b"{}")
            except OSError:
                pass
            self.close_connection = True
            return
        if fail == "badjson":
            return self.send_bytes(200, b"{this is not json")
        if fail == "nochoices":
            return self.send_json(200, {"id": "x", "object": "chat.completion"})
        return self.send_json(500, {"error": {"message": "unknown fault " + fail}})


bombs = {}


def bomb(mib):
    """gzip of MIB MiB of spaces (a JSON body's whitespace), made once."""
    with lock:
        if mib not in bombs:
            z = zlib.compressobj(9, zlib.DEFLATED, 31)
            block = b" " * (1 << 20)
            bombs[mib] = b"".join([z.compress(block) for _ in range(mib)] + [z.flush()])
        return bombs[mib]


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
    p.add_argument("--batch-hostile", choices=["endless"], help="a batch's state is an endless body")
    p.add_argument("--endless-cap", type=int, default=2 << 30, help="bytes an endless body stops at")
    p.add_argument("--tls", help="DIR with cert.pem and key.pem: serve HTTPS")
    p.add_argument("--persona", help="a knowledge-base JSON for the scripted clinical persona (tests/persona.py)")
    p.add_argument("--persona-data", help="the dataset whose grades the persona's fictional judges start from")
    p.add_argument("--lifetime", type=float, default=900, help="exit after this many seconds")
    p.add_argument("--limit-rpm", type=float, help="enforce a request rate limit (token bucket) with rate-limit headers")
    p.add_argument("--limit-tpm", type=float, help="enforce a token rate limit the same way")
    p.add_argument("--burst", type=float, default=10, help="the request bucket's size (default 10)")
    p.add_argument("--batch-polls", type=int, default=2, help="polls a batch stays in progress (default 2)")
    p.add_argument("--batch-end", default="completed", choices=("completed", "expired", "cancelled", "failed"),
                   help="how every batch ends (default completed)")
    p.add_argument("--batch-end-count", type=int, help="only the first N batches end so; later ones complete")
    args = p.parse_args()
    if args.persona:
        persona.load(args.persona)
    if args.persona_data:
        persona.load_data(args.persona_data)
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
