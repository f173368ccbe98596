#!/usr/bin/env python3
"""report.html in a real browser: headless Chromium, driven through the
DevTools protocol over --remote-debugging-pipe (file descriptors 3 and 4,
messages are JSON ended by a NUL byte), so only the standard library is
needed: no websocket client, no port to pick.

   html_browser_test.py CDNSIM SOURCE_DIR WORK_DIR

Writes a compare of tests/data/golden/small.json (three strategies, -n 3)
and a run -n 3, opens each report.html and checks: zero console errors
(console.error, uncaught exceptions, browser log entries of level error,
which include Content-Security-Policy refusals), zero network requests
besides the page itself (data: URLs, the heat maps gnuplot embeds in its
SVG, are part of the page), the figures inlined, the ranked table, and (run)
that the event-log filter works.  Screenshots are kept as test artifacts:
WORK_DIR/report-compare.png and WORK_DIR/report-run.png.

Exit 77 (CTest: skipped) with a message when chromium is not installed.
"""
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


class Browser:
    """One headless Chromium; send() a command, events are collected."""

    def __init__(self, exe, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking",
             "--disable-component-update", "--remote-debugging-pipe",
             "--user-data-dir=" + profile, "--window-size=1280,2000", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, pass_fds=(3, 4))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_one(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=30.0):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read_one(deadline)
            if m is None:
                raise RuntimeError(f"no answer to {method} in {timeout} s")
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            for m in self.events:
                if m.get("method") == method:
                    return m
            m = self._read_one(deadline)
            if m is None:
                raise RuntimeError(f"no {method} in {timeout} s")
            self.events.append(m)

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while (m := self._read_one(deadline)) is not None:
            self.events.append(m)

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def problems_of(events, page_url):
    """Console errors and requests other than the page itself."""
    errors, requests = [], []
    for m in events:
        meth, p = m.get("method"), m.get("params", {})
        if meth == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append("console." + p["type"] + ": " +
                          " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
        elif meth == "Runtime.exceptionThrown":
            errors.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:300])
        elif meth == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            errors.append("log: " + p["entry"].get("text", ""))
        elif meth == "Network.requestWillBeSent":
            u = p.get("request", {}).get("url", "")
            if u != page_url and not u.startswith("data:"):  # data: is inside the page
                requests.append(u)
    return errors, requests


def open_report(b, path, shot):
    url = "file://" + os.path.abspath(path)
    target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        b.send(domain + ".enable", session=session)
    b.events.clear()
    b.send("Page.navigate", {"url": url}, session=session)
    b.wait_event("Page.loadEventFired")
    b.drain(1.0)  # late console messages or requests
    png = b.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                 session=session)["data"]
    with open(shot, "wb") as f:
        f.write(base64.b64decode(png))
    return session, url


def evaluate(b, session, expr):
    r = b.send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=session)
    if "exceptionDetails" in r:
        raise RuntimeError("evaluate: " + json.dumps(r["exceptionDetails"])[:300])
    return r["result"].get("value")


def main():
    cdnsim, src, work = sys.argv[1:4]
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        print("SKIP: chromium is not installed (Debian: apt-get install chromium; "
              "scripts/deps.sh installs it); report.html was not opened in a browser")
        return SKIP
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    small = os.path.join(src, "data", "golden", "small.json")
    strategies = "baseline,fail-open,validate-on-ingest"
    subprocess.run([cdnsim, "compare", small, "-n", "3", "--strategies", strategies,
                    "-o", os.path.join(work, "compare"), "-q"], check=True)
    subprocess.run([cdnsim, "run", small, "-n", "3", "-o", os.path.join(work, "run"), "-q"],
                   check=True)
    failures = []

    def check(what, ok):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as profile:
        b = Browser(exe, profile)
        try:
            for kind in ("compare", "run"):
                shot = os.path.join(work, f"report-{kind}.png")
                session, url = open_report(b, os.path.join(work, kind, "report.html"), shot)
                errors, requests = problems_of(b.events, url)
                check(f"{kind}: no console errors {errors}", not errors)
                check(f"{kind}: no requests leave the page {requests}", not requests)
                check(f"{kind}: screenshot kept in {shot}", os.path.getsize(shot) > 10000)
                nsvg = evaluate(b, session, "document.querySelectorAll('figure svg[role=img]').length")
                check(f"{kind}: figures inlined with a text alternative ({nsvg})", (nsvg or 0) >= 2)
                if kind == "compare":
                    rows = evaluate(b, session, "document.querySelector('#tables table')"
                                    ".tBodies[0].rows.length")
                    check(f"compare: ranked table has one row per strategy ({rows})", rows == 3)
                else:
                    got = evaluate(b, session, """(function () {
                        var all = document.querySelectorAll('#events tbody tr').length;
                        var q = document.getElementById('evq');
                        q.value = 'operator_action';
                        q.dispatchEvent(new Event('input'));
                        var shown = document.querySelectorAll('#events tbody tr:not([hidden])').length;
                        return [document.getElementById('evfilter').hidden, all, shown];
                    })()""")
                    check(f"run: the event filter shows and filters {got}",
                          got[0] is False and 0 < got[2] < got[1])
        finally:
            b.close()
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
