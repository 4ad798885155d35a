#!/usr/bin/env python3
"""A phone's first contact, measured in real Chromium (BENCHMARKS.md, "Phones first").

Starts a Babahui server (release build, --open, a fresh data folder), creates a meeting
and starts it with a topic open (through the moderator's page), then for each network
opens the join link as a fresh phone (390x844, 4x CPU slowdown, empty cache), joins,
and reports:

  title    ms from navigation until the meeting's title is on screen (the browser's
           first-contentful-paint when the title is in the first paint)
  topic    ms until the current topic is on screen (before joining; if it is not
           shown before the join form, it is reported as not shown)
  form     ms until the join form can be typed in
  hand     ms from tapping 加入 until the 举手 button is on screen
  KiB      bytes received until then (HTTP bodies and headers as sent, compressed,
           plus WebSocket frames), in KiB
  live     ms from tapping 加入 until the application has taken over (live updates)
  live KiB bytes received until then
  again    KiB for a second meeting opened on the same phone afterwards (cache warm)

Then the moderator's tablet (1180x820, 4x CPU slowdown) and the projector (1920x1080) opened
fresh on each network: ms until the application shows the meeting, and KiB until then.

Usage: bench/phone.py [--bin target/release/babahui] [--runs 3]
Needs chromium and chromedriver (./x setup installs them). Pure standard library.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

NETWORKS = [
    # name, latency ms (round trip), down/up kbit/s
    ("slow 3G", 400, 400, 400),
    ("fast 3G", 150, 1600, 750),
    ("Wi-Fi", 20, 20000, 20000),
]
TITLE = "幸福里小区六月坝坝会"
TOPIC = "加装电梯怎么分摊"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


class Driver:
    """chromedriver, spoken to over its HTTP API."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["chromedriver", f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                http("GET", self.url + "/status")
                return
            except Exception:
                time.sleep(0.1)
        raise SystemExit("chromedriver did not start")

    def session(self, phone=True, size=(1180, 820)):
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--lang=zh-CN", "--disable-quic",
                "--disable-background-networking", "--disable-component-update", "--no-first-run"]
        opts = {"binary": "/usr/bin/chromium", "args": args}
        if phone:
            opts["mobileEmulation"] = {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0}}
        else:
            args.append("--window-size=%d,%d" % size)
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": opts,
                                                 "goog:loggingPrefs": {"performance": "ALL"}}}}
        sid = http("POST", self.url + "/session", caps)["value"]["sessionId"]
        return Session(self.url + "/session/" + sid)

    def close(self):
        self.proc.kill()
        self.proc.wait()


class Session:
    def __init__(self, url):
        self.url = url

    def cmd(self, path, body):
        return http("POST", self.url + path, body)["value"]

    def cdp(self, cmd, params=None):
        return self.cmd("/goog/cdp/execute", {"cmd": cmd, "params": params or {}})

    def js(self, script, *args):
        return self.cmd("/execute/sync", {"script": script, "args": list(args)})

    def goto(self, url):
        self.cmd("/url", {"url": url})

    def log(self):
        return self.cmd("/se/log", {"type": "performance"})

    def wait(self, script, what, timeout=120):
        """Polls `script` (returning a number or null) until it is not null."""
        started = time.time()
        while time.time() - started < timeout:
            got = self.js(script)
            if got is not None:
                return got
            time.sleep(0.02)
        raise RuntimeError(f"timed out waiting for {what}")

    def quit(self):
        try:
            http("DELETE", self.url)
        except Exception:
            pass


def received_bytes(entries):
    total = 0
    for e in entries:
        m = json.loads(e["message"])["message"]
        if m["method"] == "Network.loadingFinished":
            total += m["params"].get("encodedDataLength", 0)
        elif m["method"] == "Network.webSocketFrameReceived":
            total += len(m["params"]["response"].get("payloadData", "").encode())
    return total


def text_time(needle):
    return ("return document.body && document.body.innerText.includes(%s) ? performance.now() : null;"
            % json.dumps(needle))


def measure(driver, net, join_url, second_url):
    name, latency, down, up = net
    s = driver.session()
    try:
        s.cdp("Network.enable")
        s.cdp("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency,
            "downloadThroughput": down * 1000 / 8, "uploadThroughput": up * 1000 / 8})
        s.cdp("Emulation.setCPUThrottlingRate", {"rate": 4})
        s.log()  # drop what came before
        s.goto(join_url)
        # One poll sees all three, each timed when first seen. The topic may not be
        # shown before joining at all: then it counts as not shown (None).
        seen = {}
        started = time.time()
        while "form" not in seen or "title" not in seen:
            if time.time() - started > 120:
                raise RuntimeError(f"timed out on {join_url}: saw {seen}")
            got = s.js("const t = document.body ? document.body.innerText : ''; return {"
                       "title: t.includes(%s), topic: t.includes(%s), "
                       "form: !!document.querySelector('input[autocomplete=name]'), now: performance.now()};"
                       % (json.dumps(TITLE), json.dumps(TOPIC)))
            for key in ("title", "topic", "form"):
                if got[key] and key not in seen:
                    seen[key] = got["now"]
            time.sleep(0.02)
        title, form, topic = seen["title"], seen["form"], seen.get("topic")
        # The page's first paint is the meeting itself (title, topic, form): the
        # browser's own first-contentful-paint time is when they appeared; the
        # polling above only sees them a WebDriver round trip later.
        fcp = s.js("const e = performance.getEntriesByName('first-contentful-paint')[0]; return e ? e.startTime : null;")
        if fcp is not None:
            title = min(title, fcp)
            form = min(form, fcp)
            topic = None if topic is None else min(topic, fcp)
        s.js("const i = document.querySelector('input[autocomplete=name]'); i.value = '测速'; "
             "i.dispatchEvent(new Event('input', {bubbles: true}));")
        # Wall-clock times: tapping 加入 may load another page (performance.now() restarts).
        tapped = s.js("const b = document.querySelector('form button[type=submit]'); "
                      "setTimeout(() => b.click(), 0); return Date.now();")
        hand = s.wait("return document.querySelector('button.hand') ? Date.now() : null;", "the hand button")
        # The joined page is a new page: its first paint is when 举手 appeared (the
        # polling above sees it a WebDriver round trip later).
        painted = s.js("const e = performance.getEntriesByName('first-contentful-paint')[0]; "
                       "return e && document.querySelector('#plain button.hand') ? performance.timeOrigin + e.startTime : null;")
        if painted is not None:
            hand = min(hand, painted)
        log = s.log()
        first = received_bytes(log)
        live = s.wait("return document.getElementById('loading') ? null : Date.now();", "the application")
        live_bytes = first + received_bytes(s.log())
        # The same phone opens a second meeting: only its data should travel.
        s.goto(second_url)
        s.wait(text_time("第二场"), "the second meeting's title")
        s.wait("return document.querySelector('input[autocomplete=name]') ? 1 : null;", "its join form")
        again = received_bytes(s.log())
        return {"network": name, "title": round(title), "topic": None if topic is None else round(topic),
                "form": round(form),
                "hand": round(hand - tapped), "KiB": round(first / 1024, 1),
                "live": round(live - tapped), "live KiB": round(live_bytes / 1024, 1),
                "again": round(again / 1024, 1)}
    finally:
        s.quit()


def measure_screen(driver, net, url, size, cpu):
    """A staff screen (the moderator's tablet, the projector) opened fresh: ms until the
    meeting's title is shown by the application, and the KiB received until then."""
    name, latency, down, up = net
    s = driver.session(phone=False, size=size)
    try:
        s.cdp("Network.enable")
        s.cdp("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency,
            "downloadThroughput": down * 1000 / 8, "uploadThroughput": up * 1000 / 8})
        s.cdp("Emulation.setCPUThrottlingRate", {"rate": cpu})
        s.log()
        s.goto(url)
        shown = s.wait("return !document.getElementById('loading') && document.body.innerText.includes(%s)"
                       " ? performance.now() : null;" % json.dumps(TITLE), "the screen's title")
        return {"ms": round(shown), "KiB": round(received_bytes(s.log()) / 1024, 1)}
    finally:
        s.quit()


def start_meeting(driver, base, title, topics):
    created = http("POST", base + "/api/meetings",
                   {"title": title, "place": "院坝", "agenda": [{"title": t, "minutes": 15} for t in topics]})
    tablet = driver.session(phone=False)
    try:
        tablet.goto(created["moderator_url"])
        tablet.wait("const b = document.querySelector('#start-meeting'); if (b) { b.click(); return 1; } return null;",
                    "the start button")
        tablet.wait("const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() == '开始此议题');"
                    " if (b) { b.click(); return 1; } return null;", "the open-topic button")
        tablet.wait(text_time("议题剩余"), "the topic open")
    finally:
        tablet.quit()
    return created


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/babahui")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--phones-only", action="store_true", help="skip the moderator's and projector's screens")
    ap.add_argument("--lan", action="store_true",
                    help="open the pages at this machine's LAN address, as phones on the Wi-Fi do "
                         "(a browser asks plain http:// for gzip only: brotli is for https:// and localhost)")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="bbh-phone-")
    port = free_port()
    host = "127.0.0.1"
    if args.lan:
        host = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()[0]
    server = subprocess.Popen([args.bin, "serve", "--open", "--addr", f"{host}:{port}", "--data", data],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://{host}:{port}"
    driver = None
    try:
        for _ in range(100):
            try:
                http("GET", base + "/healthz")
                break
            except Exception:
                time.sleep(0.1)
        driver = Driver()
        first = start_meeting(driver, base, TITLE, [TOPIC, "路灯维修"])
        second = http("POST", base + "/api/meetings", {"title": "第二场坝坝会", "place": "院坝", "agenda": []})
        rows = []
        for net in NETWORKS:
            runs = [measure(driver, net, first["join_url"], second["join_url"]) for _ in range(args.runs)]
            # The median run of each figure.
            row = {"network": net[0]}
            for key in ("title", "topic", "form", "hand", "KiB", "live", "live KiB", "again"):
                values = sorted(r[key] for r in runs if r[key] is not None)
                row[key] = values[len(values) // 2] if values else None
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
        screens = []
        for net in ([] if args.phones_only else NETWORKS):
            row = {"network": net[0]}
            for screen, url, size, cpu in (("moderator", first["moderator_url"], (1180, 820), 4),
                                           ("projector", first["projector_url"], (1920, 1080), 1)):
                runs = sorted((measure_screen(driver, net, url, size, cpu) for _ in range(args.runs)),
                              key=lambda r: r["ms"])
                row[screen] = runs[len(runs) // 2]
            screens.append(row)
            print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
        print("| network | title visible | topic visible | join form | 加入 → 举手 | KiB to 举手 "
              "| 加入 → live | KiB to live | second meeting KiB |")
        print("|---|---|---|---|---|---|---|---|---|")
        secs = lambda ms: "not shown before joining" if ms is None else f"{ms / 1000:.2f} s"
        for r in rows:
            print(f"| {r['network']} | {secs(r['title'])} | {secs(r['topic'])} | {secs(r['form'])} "
                  f"| {secs(r['hand'])} | {r['KiB']} | {secs(r['live'])} | {r['live KiB']} | {r['again']} |")
        print()
        print("| network | moderator's tablet (4× CPU): meeting shown | KiB | projector: meeting shown | KiB |")
        print("|---|---|---|---|---|")
        for r in screens:
            m, p = r["moderator"], r["projector"]
            print(f"| {r['network']} | {secs(m['ms'])} | {m['KiB']} | {secs(p['ms'])} | {p['KiB']} |")
    finally:
        if driver:
            driver.close()
        server.kill()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
