#!/usr/bin/env python3
"""UDP through socket-proxyd beside what people use today, in paired rounds.

Every forwarder is started once on 127.0.0.1 in front of one C echo backend (bench/udp-load.c, compiled here
with cc), and kept running. Each round runs the same load (1 client, then 64 clients, each with one 64-byte
datagram in flight, ping-pong) through each of them back to back, in an order that rotates from round to
round; the ratio sockact / other is taken within each round and reported as its median over the rounds, with
the rounds sockact won. p99 is the 99th percentile of the round-trip time the client measured.

    bench/udpbench.py [--rounds N] [--seconds S] [--out FILE.md]

Forwarders: direct (no proxy), sockact (bin/socket-proxyd --listen-datagram=), socat's UDP-LISTEN with fork
(one child per client) and UDP-RECVFROM with fork (one child per datagram), nginx's stream module with
`listen ... udp` (one worker; and two workers with reuseport). One that is not installed is left out and said.
sockact-no-poll is socket-proxyd with --busy-poll=0, its loops sleeping at once (the default polls up to 50 µs).
And a yardstick, not a tool: bench/udp-minimal-forwarder.c ("minimal-c"), the least a user-space forwarder can do
per datagram with the same session model (a connected socket per client; recvmmsg/sendmmsg; two threads on
SO_REUSEPORT members, as socket-proxyd's two loops): what this machine allows any forwarder against "direct".
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_served(port, deadline=20.0):
    """Sends until a reply comes back through the forwarder (it may still be starting)."""
    end = time.monotonic() + deadline
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        while time.monotonic() < end:
            s.sendto(b"ping", ("127.0.0.1", port))
            try:
                s.recv(100)
                return
            except (socket.timeout, ConnectionRefusedError):
                pass
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


def nginx_config(directory, port, backend, workers):
    reuse = " reuseport" if workers > 1 else ""
    path = os.path.join(directory, f"nginx-{workers}.conf")
    with open(path, "w") as f:
        f.write(f"""load_module {NGINX_STREAM_MODULE};
daemon off;
master_process on;
worker_processes {workers};
pid {directory}/nginx-{workers}.pid;
error_log {directory}/nginx-{workers}.log warn;
events {{ worker_connections 4096; }}
stream {{
    server {{
        listen 127.0.0.1:{port} udp{reuse};
        proxy_pass 127.0.0.1:{backend};
        proxy_timeout 60s;
    }}
}}
""")
    return ["nginx", "-c", path, "-e", f"{directory}/nginx-{workers}.err"]


def forwarders(directory, backend, minimal):
    """name -> (command or None for direct, port)."""
    found = {"direct": (None, backend)}
    port = free_udp_port()
    found["minimal-c"] = ([minimal, str(port), str(backend), "2"], port)
    port = free_udp_port()
    # -c as for TCP (bench/pairs): every round's clients are new and their sessions last the 60 s idle time, so
    # the default 256 would drop the clients of a fifth round.
    found["sockact"] = ([os.path.join(ROOT, "bin/socket-proxyd"), "-c", "20000", f"--listen-datagram=127.0.0.1:{port}",
                         f"127.0.0.1:{backend}"], port)
    # The same proxy sleeping at once in epoll_wait: what busy polling (on by default for datagrams) gains and costs.
    port = free_udp_port()
    found["sockact-no-poll"] = ([os.path.join(ROOT, "bin/socket-proxyd"), "-c", "20000", "--busy-poll=0",
                                 f"--listen-datagram=127.0.0.1:{port}", f"127.0.0.1:{backend}"], port)
    if shutil.which("socat"):
        port = free_udp_port()
        found["socat-listen"] = (["socat", f"UDP4-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr",
                                  f"UDP4:127.0.0.1:{backend}"], port)
        port = free_udp_port()
        found["socat-recvfrom"] = (["socat", "-T", "1", f"UDP4-RECVFROM:{port},bind=127.0.0.1,fork",
                                    f"UDP4-SENDTO:127.0.0.1:{backend}"], port)
    else:
        print("socat is not installed: left out", file=sys.stderr)
    if shutil.which("nginx") and os.path.exists(NGINX_STREAM_MODULE):
        for workers in (1, 2):
            port = free_udp_port()
            found[f"nginx-{workers}w"] = (nginx_config(directory, port, backend, workers), port)
    else:
        print(f"nginx with {NGINX_STREAM_MODULE} (Debian: libnginx-mod-stream) is not installed: left out",
              file=sys.stderr)
    return found


def run_load(load, port, clients, seconds):
    out = subprocess.run([load, "load", str(port), str(clients), str(seconds), "64"], check=True,
                         capture_output=True, text=True).stdout.split()
    return {"rate": float(out[0]), "p50": float(out[1]), "p99": float(out[2]), "lost": int(out[3])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="udpbench-")
    load = os.path.join(directory, "udp-load")
    subprocess.run(["cc", "-O2", "-o", load, os.path.join(ROOT, "bench/udp-load.c")], check=True)
    minimal = os.path.join(directory, "udp-minimal-forwarder")
    subprocess.run(["cc", "-O2", "-pthread", "-o", minimal, os.path.join(ROOT, "bench/udp-minimal-forwarder.c")],
                   check=True)
    backend = free_udp_port()
    processes = [subprocess.Popen([load, "echo", str(backend)])]
    try:
        wait_served(backend)
        table = forwarders(directory, backend, minimal)
        for name, (command, port) in table.items():
            if command:
                # A process group of its own: socat's UDP4-LISTEN children outlive their parent and would hold
                # their ports (a later test binding one of them failed with EADDRINUSE); the group goes at the end.
                processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True,
                                                  stderr=open(os.path.join(directory, name + ".log"), "w")))
        for name, (command, port) in table.items():
            wait_served(port)
            for clients in (1, 64):   # warm-up: the JIT, socat's first children
                run_load(load, port, clients, args.seconds)
        names = list(table)
        results = {(n, c): [] for n in names for c in (1, 64)}
        for r in range(args.rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for clients in (1, 64):
                for name in order:
                    results[(name, clients)].append(run_load(load, table[name][1], clients, args.seconds))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
        report = render(names, results, args)
        print(report)
        if args.out:
            with open(args.out, "w") as f:
                f.write(report)
    finally:
        for p in processes:
            try:
                if p is processes[0]:
                    p.terminate()
                else:
                    os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in processes:
            p.wait()


def render(names, results, args):
    lines = [f"# UDP through the proxy: {args.rounds} paired rounds of {args.seconds:g} s, 64-byte datagrams, "
             "one in flight per client", "",
             "A client with no reply after 200 ms sends again (\"resent\"): a forwarder that loses datagrams, or "
             "sends replies to the wrong client, shows there.", "",
             f"Machine: {os.cpu_count()} CPUs, {os.uname().release}. Ratio: sockact / that forwarder, "
             "within each round, median over the rounds (rounds sockact won).", ""]
    for clients in (1, 64):
        lines += [f"## {clients} client{'s' if clients > 1 else ''}", "",
                  "| forwarder | datagrams/s (median) | p50 µs | p99 µs | resent (all rounds) | sockact ÷ it, rate | won "
                  "| sockact ÷ it, p99 |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        ours = results[("sockact", clients)]
        for name in names:
            runs = results[(name, clients)]
            rate = statistics.median(x["rate"] for x in runs)
            p50 = statistics.median(x["p50"] for x in runs)
            p99 = statistics.median(x["p99"] for x in runs)
            ratios = [o["rate"] / t["rate"] for o, t in zip(ours, runs) if t["rate"] > 0]
            lat = [o["p99"] / t["p99"] for o, t in zip(ours, runs) if t["p99"] > 0]
            won = sum(1 for x in ratios if x >= 1.0)
            lost = sum(x["lost"] for x in runs)
            lines.append(f"| {name} | {rate:,.0f} | {p50:.1f} | {p99:.1f} | {lost} | "
                         f"{statistics.median(ratios):.2f}× | {won}/{len(ratios)} | {statistics.median(lat):.2f}× |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
