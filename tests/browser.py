#!/usr/bin/env python3
"""tests/browser.py: opens a pt-report page in Debian's Chromium, headless,
driven over the DevTools protocol through a pipe (--remote-debugging-pipe:
JSON messages ended by NUL on descriptors 3 and 4, the transport puppeteer's
pipe mode uses), with nothing but the standard library: no browser download,
no npm package, no network.

  browser.py check NAME PAGE [--cases N] [--tables N] [--filter COL=VALUE:N]...
                   [--search TEXT:N] [--sort COLUMN] [--injection] [--screenshot PNG]
      prints "ok NAME: ..." / "FAIL NAME: ..." lines (tests/lib.sh's form)
  browser.py time PAGE   the page's first contentful paint and load, in ms

Chromium: $CHROMIUM, else /usr/bin/chromium. Missing: "SKIP" on stdout, exit 77.
"""
import base64, json, os, select, shutil, struct, subprocess, sys, tempfile, time, zlib

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class Browser:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pt-chromium.")
        to_r, to_w = os.pipe()
        fr_r, fr_w = os.pipe()

        def fds():  # the child's descriptors 3 (reads ours) and 4 (writes to us)
            a, b = os.dup(to_r), os.dup(fr_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--remote-debugging-pipe",
             "--user-data-dir=" + self.dir, "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--disable-component-update", "--mute-audio", "about:blank"],
            preexec_fn=fds, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "log"), "w"))
        os.close(to_r)
        os.close(fr_w)
        self.w, self.r = to_w, fr_r
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _read(self, timeout):
        end = time.time() + timeout
        while b"\0" not in self.buf:
            left = end - time.time()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True, timeout=30):
        self.next_id += 1
        m = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            m["sessionId"] = self.session
        os.write(self.w, json.dumps(m).encode() + b"\0")
        while True:
            r = self._read(timeout)
            if r.get("id") == self.next_id:
                if "error" in r:
                    raise RuntimeError("%s: %s" % (method, r["error"]))
                return r.get("result", {})
            self.events.append(r)

    def wait_event(self, method, timeout=30):
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        end = time.time() + timeout
        while True:
            e = self._read(max(0.01, end - time.time()))
            if e.get("method") == method:
                return e
            self.events.append(e)

    def open(self, url, scripts=True, width=1280, height=900):
        t = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        self.session = self.call("Target.attachToTarget", {"targetId": t["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        for d in ("Page", "Runtime", "Network", "Log"):
            self.call(d + ".enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        if not scripts:
            self.call("Emulation.setScriptExecutionDisabled", {"value": True})
        self.events = []
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired", 60)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def drain(self, seconds=0.3):
        end = time.time() + seconds
        try:
            while time.time() < end:
                self.events.append(self._read(end - time.time()))
        except TimeoutError:
            pass

    def screenshot(self):
        return base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"])


def png_colors(png):
    """The number of distinct colours, and the share of pixels that are not
    white, of an 8-bit RGB or RGBA PNG (as Chromium writes them)."""
    pos, idat, w = 8, b"", 0
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", data[:10])
            bpp = {2: 3, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    raw, stride, prev, colors, dark = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set(), 0
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 4):   # every fourth pixel is enough
            px = bytes(line[x:x + 3])
            colors.add(px)
            dark += px != b"\xff\xff\xff"
        prev = line
    return len(colors), dark / (h * (w // 4 or 1))


class Checks:
    def __init__(self, name):
        self.name = name

    def check(self, what, good, detail=""):
        print(("ok %s: %s" if good else "FAIL %s: %s") % (self.name, what))
        if not good and detail:
            print("     " + str(detail)[:1500].replace("\n", "\n     "))


CASES_ROWS = "document.querySelectorAll('table.cases tbody tr').length"
SHOWN_ROWS = "Array.prototype.filter.call(document.querySelectorAll('table.cases tbody tr'), r => !r.hidden).length"


def problems(b, page_url):
    """Requests to anything but the page and data: URLs; console errors, exceptions, CSP reports."""
    b.drain()
    bad = []
    for e in b.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Network.requestWillBeSent":
            u = p["request"]["url"]
            if u != page_url and not u.startswith("data:"):
                bad.append("request: " + u)
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            bad.append("console %s: %s" % (p["type"], [a.get("value", a.get("description")) for a in p["args"]]))
        elif m == "Runtime.exceptionThrown":
            bad.append("exception: %s" % p["exceptionDetails"])
        elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            bad.append("log %s: %s" % (p["entry"]["level"], p["entry"]["text"]))
    return bad


def check(args):
    name, page = args[0], os.path.abspath(args[1])
    opts = {"--filter": [], "--search": [], "--cases": None, "--tables": None, "--sort": None,
            "--injection": False, "--screenshot": None}
    i = 2
    while i < len(args):
        a = args[i]
        if a == "--injection":
            opts[a] = True
            i += 1
            continue
        if isinstance(opts[a], list):
            opts[a].append(args[i + 1])
        else:
            opts[a] = args[i + 1]
        i += 2
    c, url = Checks(name), "file://" + page
    b = Browser()
    try:
        # scripts off: everything there to read, the filters (which need them) hidden
        b.open(url, scripts=False)
        if opts["--cases"] is not None:
            c.check("scripts off: %s cases in the table" % opts["--cases"], b.eval(CASES_ROWS) == int(opts["--cases"]),
                    b.eval(CASES_ROWS))
            c.check("scripts off: the filters hidden", b.eval("document.getElementById('filters').hidden") is True)
        b.call("Emulation.setScriptExecutionDisabled", {"value": False})
        b.open(url)
        bad = problems(b, url)
        c.check("no network request, console error or CSP report", not bad, "\n".join(bad))
        c.check("its own script ran (allowed by its hash)",
                b.eval("document.getElementById('filters') ? !document.getElementById('filters').hidden : true"))
        shot = b.screenshot()
        if opts["--screenshot"]:
            open(opts["--screenshot"], "wb").write(shot)
        ncol, ink = png_colors(shot)
        c.check("the first screen is drawn (%d colours, %.0f%% not white)" % (ncol, 100 * ink), ncol > 20 and ink > 0.03,
                (ncol, ink))
        imgs = b.eval("Array.prototype.map.call(document.images, i => i.complete && i.naturalWidth > 0)")
        c.check("%d figures drawn" % len(imgs), all(imgs), imgs)
        if opts["--tables"] is not None:
            n = b.eval("document.querySelectorAll('main table:not(.cases)').length + !!document.getElementById('cases-table')")
            c.check("%s tables" % opts["--tables"], n == int(opts["--tables"]), n)
        if opts["--cases"] is not None:
            n = int(opts["--cases"])
            c.check("%d cases in the table" % n, b.eval(CASES_ROWS) == n and b.eval(SHOWN_ROWS) == n,
                    (b.eval(CASES_ROWS), b.eval(SHOWN_ROWS)))
            c.check("as many answers a click away",
                    b.eval("Array.prototype.every.call(document.querySelectorAll('table.cases tbody tr'),"
                           " r => document.getElementById(r.cells[0].querySelector('a').hash.slice(1)))"))
            b.eval("document.querySelector('table.cases tbody tr:nth-child(2) a').click()")
            time.sleep(0.2)
            c.check("a row's link opens its answer", b.eval(
                "document.getElementById(document.querySelector('table.cases tbody tr:nth-child(2) a').hash.slice(1)).open"))
            d = b.eval("Array.prototype.map.call(document.querySelectorAll('table.cases tbody tr'),"
                       " r => r.cells[7].textContent === '' ? null : Math.abs(parseFloat(r.cells[7].textContent)))")
            known = [x for x in d if x is not None]
            c.check("largest disagreements first", known == sorted(known, reverse=True) and
                    d[:len(known)] == known, d[:20])
        if opts["--sort"]:
            col = b.eval("Array.prototype.findIndex.call(document.querySelectorAll('#cases-table th'),"
                         " t => t.textContent === %s)" % json.dumps(opts["--sort"]))
            get = ("Array.prototype.map.call(document.querySelectorAll('table.cases tbody tr'),"
                   " r => r.cells[%d].textContent).filter(t => t !== '').map(parseFloat)" % col)
            b.eval("document.querySelectorAll('#cases-table th')[%d].click()" % col)
            up = b.eval(get)
            b.eval("document.querySelectorAll('#cases-table th')[%d].click()" % col)
            down = b.eval(get)
            c.check("sorting by %s: up, then down" % opts["--sort"],
                    col >= 0 and up == sorted(up) and down == sorted(up, reverse=True) and len(set(up)) > 1,
                    (col, up[:10], down[:10]))
            txt = b.eval("Array.prototype.map.call(document.querySelectorAll('main table:not(.cases)')[0]"
                         ".tBodies[0].rows, r => r.cells[0].textContent)")
            b.eval("document.querySelectorAll('main table:not(.cases)')[0].tHead.rows[0].cells[0].click()")
            txt2 = b.eval("Array.prototype.map.call(document.querySelectorAll('main table:not(.cases)')[0]"
                          ".tBodies[0].rows, r => r.cells[0].textContent)")
            c.check("a report table sorts by its first column", sorted(txt2) == sorted(txt) and len(txt) > 0 and
                    (txt2 == sorted(txt, key=str.lower) or
                     [float(x) for x in txt2] == sorted(float(x) for x in txt)), (txt, txt2))
        for f in opts["--filter"]:
            colval, n = f.rsplit(":", 1)
            col, val = colval.split("=", 1)
            got = b.eval("(() => { const f = document.getElementById('filters');"
                         " f.querySelectorAll('select').forEach(s => { s.selectedIndex = 0; });"
                         " f.querySelector('input').value = '';"
                         " const s = Array.prototype.find.call(f.querySelectorAll('label'),"
                         "   l => l.firstChild.textContent.trim() === %s).querySelector('select');"
                         " s.value = %s; s.dispatchEvent(new Event('change')); return %s; })()"
                         % (json.dumps(col), json.dumps(val), SHOWN_ROWS))
            c.check("filter %s = %s: %s cases" % (col, val, n), got == int(n), got)
        for s in opts["--search"]:
            text, n = s.rsplit(":", 1)
            got = b.eval("(() => { const f = document.getElementById('filters');"
                         " f.querySelectorAll('select').forEach(s => { s.selectedIndex = 0; });"
                         " const q = f.querySelector('input'); q.value = %s; q.dispatchEvent(new Event('input'));"
                         " return %s; })()" % (json.dumps(text), SHOWN_ROWS))
            c.check("text %s: %s cases" % (json.dumps(text), n), got == int(n), got)
        if opts["--injection"]:
            c.check("nothing in a record ran", b.eval("window.pwned === undefined"), b.eval("String(window.pwned)"))
            c.check("one script, no handler, no javascript: link", b.eval(
                "document.scripts.length === 1 && !Array.prototype.some.call(document.querySelectorAll('*'),"
                " e => Array.prototype.some.call(e.attributes, a => /^on/i.test(a.name)"
                " || /^\\s*javascript:/i.test(a.value)))"))
            for t in ("<script>window.pwned=1</script>", "<img src=x onerror=\"window.pwned=2\">",
                      "</style><script>window.pwned=3</script>", "</pre></article><script>window.pwned=4</script>"):
                c.check("shown as text: " + t, b.eval("document.body.textContent.includes(%s)" % json.dumps(t)))
        bad = problems(b, url)
        c.check("after the clicks: no request, console error or CSP report", not bad, "\n".join(bad))
    finally:
        b.close()


def timing(page):
    b = Browser()
    try:
        t0 = time.time()
        b.open("file://" + os.path.abspath(page))
        load = (time.time() - t0) * 1000
        fcp = b.eval("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null")
        rows = b.eval(CASES_ROWS)
        t1 = time.time()
        b.eval("(document.querySelectorAll('#cases-table th')[6] || {click() {}}).click()")
        sort = (time.time() - t1) * 1000
        print(json.dumps({"fcp_ms": round(fcp) if fcp else None, "load_ms": round(load), "sort_ms": round(sort),
                          "rows": rows}))
    finally:
        b.close()


if __name__ == "__main__":
    if not os.access(CHROMIUM, os.X_OK):
        print("SKIP %s not installed" % CHROMIUM)
        sys.exit(77)
    if sys.argv[1] == "check":
        check(sys.argv[2:])
    else:
        timing(sys.argv[2])
