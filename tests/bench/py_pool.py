#!/usr/bin/env python3
"""What the reference Python runner does: a concurrent.futures pool of 30
threads, urllib POSTs, one per record. usage: py_pool.py URL FILE"""
import concurrent.futures, json, sys, urllib.request

url = sys.argv[1] + "/chat/completions"

def ask(line):
    e = json.loads(line)
    body = json.dumps({"model": "m", "messages": e["messages"]}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        e["response"] = json.load(r)["choices"][0]["message"]["content"]
    return json.dumps(e)

with open(sys.argv[2]) as f, concurrent.futures.ThreadPoolExecutor(30) as pool:
    for out in pool.map(ask, f):
        sys.stdout.write(out + "\n")
