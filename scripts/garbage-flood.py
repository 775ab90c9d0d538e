#!/usr/bin/env python3
"""Garbage flood against an orchestrator's edge: refused requests at a fixed rate, the server's CPU and memory measured.

Starts `BINARY orchestrator --port 0` (TLS, self-signed, as in production) on loopback, sends POST /segment requests
whose Livepeer-Payment header does not parse (each answered 402) over keep-alive TLS connections at --rate requests
per second for --seconds, and prints one JSON line: requests sent, answers by status, the rate reached, the server's
CPU seconds (user + system, from /proc) in all and per request, and its resident memory at start and at its peak.

    scripts/garbage-flood.py .build/release/streamflow --rate 500 --seconds 20
"""
import argparse, json, os, re, signal, socket, ssl, subprocess, sys, tempfile, threading, time


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def flood(port, rate, seconds, body, connections, counts, lock):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = (f"POST /segment HTTP/1.1\r\nHost: 127.0.0.1\r\nLivepeer-Payment: %%%garbage%%%\r\n"
               f"Livepeer-Segment: also-garbage\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    per_connection = rate / connections
    deadline = time.monotonic() + seconds

    def worker():
        tls = context.wrap_socket(socket.create_connection(("127.0.0.1", port)))
        reader = tls.makefile("rb")
        next_at = time.monotonic()
        while time.monotonic() < deadline:
            try:
                tls.sendall(request)
                status = int(reader.readline().split()[1])
                length = 0
                while True:
                    line = reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                reader.read(length)
            except (OSError, ValueError, IndexError):
                status = "error"
                tls = context.wrap_socket(socket.create_connection(("127.0.0.1", port)))
                reader = tls.makefile("rb")
            with lock:
                counts[status] = counts.get(status, 0) + 1
            next_at += 1 / per_connection
            pause = next_at - time.monotonic()
            if pause > 0:
                time.sleep(pause)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    return threads


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--body", type=int, default=64 * 1024, help="bytes of garbage body per request")
    parser.add_argument("--connections", type=int, default=8)
    arguments = parser.parse_args()
    out = tempfile.mkdtemp(prefix="sf-flood-")
    server = subprocess.Popen([arguments.binary, "orchestrator", "--out", out, "--port", "0", "--log-level", "error"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    port = int(re.search(r"serving at [^:]+:(\d+)", line).group(1))
    time.sleep(1)
    counts, lock = {}, threading.Lock()
    cpu_before, rss_start, started = cpu_seconds(server.pid), rss_bytes(server.pid), time.monotonic()
    threads = flood(port, arguments.rate, arguments.seconds, os.urandom(arguments.body), arguments.connections, counts, lock)
    peak = rss_start
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, rss_bytes(server.pid))
        time.sleep(0.25)
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(server.pid) - cpu_before
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=40)
    sent = sum(counts.values())
    print(json.dumps({"binary": arguments.binary, "requests": sent, "answers": {str(k): v for k, v in counts.items()},
                      "rate": round(sent / elapsed, 1), "server_cpu_s": round(cpu, 3),
                      "server_cpu_us_per_request": round(cpu / max(sent, 1) * 1e6, 1),
                      "rss_start_mb": round(rss_start / 2**20, 1), "rss_peak_mb": round(peak / 2**20, 1)}))


if __name__ == "__main__":
    main()
