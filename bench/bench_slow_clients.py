#!/usr/bin/env python3
"""`faceage serve` with many idle and trickling clients connected.

For each faceage binary given: starts `faceage serve --port 0` (127.0.0.1 only), measures
/healthz and photo latency on a quiet server, then opens IDLE connections that send part
of a request head and then nothing, and TRICKLE clients sending a POST a byte every
--trickle-interval seconds, and measures again while they are all connected (each
/healthz with a 10 s timeout). Prints one table.

  bench/bench_slow_clients.py --binary before=/work/main/build/bin/faceage \\
                              --binary after=build/bin/faceage --idle 500 --trickle 50
"""
import argparse
import http.client
import os
import socket
import statistics
import threading
import time

from bench_under_load import DATA, post_photo, start_server, stop_server


def timed(action):
    start = time.monotonic()
    try:
        ok = action()
    except OSError:
        ok = False
    return (time.monotonic() - start) * 1000, ok


def health(port, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", "/healthz")
    reply = connection.getresponse()
    reply.read()
    connection.close()
    return reply.status == 200


def latencies(port, photo, count):
    """(health ms list, photo ms list, failures)"""
    health_ms, photo_ms, failures = [], [], 0
    for _ in range(count):
        ms, ok = timed(lambda: health(port))
        health_ms.append(ms)
        failures += not ok
        if failures >= 3:
            break  # a server that does not answer: no need to wait out every timeout
    for _ in range(max(3, count // 4)):
        ms, ok = timed(lambda: post_photo(port, photo, timeout=30) == 200)
        photo_ms.append(ms)
        failures += not ok
        if failures >= 4:
            break
    return health_ms, photo_ms, failures


def open_idle(port, count):
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(s)
    return sockets


def trickle(port, stop, interval):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        request = (b"POST /v1/age HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/jpeg\r\n"
                   b"Content-Length: 100000\r\n\r\n")
        for i in range(len(request)):
            if stop.wait(interval):
                break
            s.sendall(request[i:i + 1])
        s.close()
    except OSError:
        pass  # cut off by the server: what it should do with a trickler


def measure(binary, idle, trickles, interval, count, photo):
    process, port = start_server(binary)
    row = {}
    try:
        post_photo(port, photo)  # warm-up
        row["quiet"] = latencies(port, photo, count)
        sockets = open_idle(port, idle)
        stop = threading.Event()
        threads = [threading.Thread(target=trickle, args=(port, stop, interval)) for _ in range(trickles)]
        for t in threads:
            t.start()
        time.sleep(2 * interval + 1)  # every trickler has sent a few bytes
        row["loaded"] = latencies(port, photo, count)
        stop.set()
        for t in threads:
            t.join()
        for s in sockets:
            s.close()
    finally:
        stop_server(process)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append", required=True, help="NAME=PATH of a faceage command")
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--trickle", type=int, default=50)
    parser.add_argument("--trickle-interval", type=float, default=1.0)
    parser.add_argument("--count", type=int, default=12, help="health checks per measurement")
    args = parser.parse_args()
    photo = open(os.path.join(DATA, "fairface", sorted(os.listdir(os.path.join(DATA, "fairface")))[0]), "rb").read()
    print(f"| binary | clients | /healthz p50 / max ms | photo p50 / max ms | failed or timed out |")
    print("|---|---|---:|---:|---:|")
    for name, path in (b.split("=", 1) for b in args.binary):
        row = measure(os.path.abspath(path), args.idle, args.trickle, args.trickle_interval, args.count, photo)
        for condition, label in (("quiet", "none"), ("loaded", f"{args.idle} idle + {args.trickle} trickling")):
            h, p, failures = row[condition]
            print(f"| {name} | {label} | {statistics.median(h):.1f} / {max(h):.1f} | "
                  f"{statistics.median(p):.0f} / {max(p):.0f} | {failures} |", flush=True)


if __name__ == "__main__":
    main()
