#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xmd_hostile.py: xmd keeps answering root's xm while hostile clients
hold, stall, trickle and flood its socket (no /dev/kvm needed; root, for
clients of other uids): a read-only user cannot take the slots kept for
root, one user cannot take the whole read-only share, a stalled head and a
trickled body are dropped at their deadlines, and with its file
descriptors exhausted xmd stops accepting instead of spinning, logs the
episode once, and serves again when the flood goes. TAP output."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmd_daemon as T  # noqa: E402
from xmd_server import run  # noqa: E402
import xmharness as H  # noqa: E402

ok = T.ok
RO_GROUP = "nogroup"
# A client of another uid: connects n times, says how many xmd held and
# how many it answered at once (refused), then holds until stdin closes.
# The flooding clients run as other users: a python they can execute.
PY = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) \
    else sys.executable
FLOOD = r"""
import json, os, select, socket, sys
sock, n = sys.argv[1], int(sys.argv[2])
conns = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    conns.append(s)
select.select([], [], [], 1.0)
held = refused = 0
text = ""
for s in conns:
    r, _, _ = select.select([s], [], [], 0)
    if r:
        data = s.recv(65536)
        refused += 1
        text = text or data.decode("utf-8", "replace")
    else:
        held += 1
print(json.dumps({"held": held, "refused": refused, "text": text}),
      flush=True)
sys.stdin.read()
"""


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def as_user(uid, gid):
    def drop():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    return drop


def flood(d, uid, n):
    p = subprocess.Popen([PY, "-c", FLOOD, d.sock, str(n)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True, preexec_fn=as_user(uid, 65534))
    line = p.stdout.readline()
    try:
        return p, json.loads(line)
    except ValueError:
        return p, {"held": 0, "refused": 0, "text": line}


def end(p):
    p.stdin.close()
    p.wait(timeout=10)


def xm_list(root):
    env = dict(os.environ, XMD_ROOT=root)
    t0 = time.monotonic()
    r = subprocess.run([H.XM, "list"], env=env, capture_output=True,
                       text=True, timeout=30)
    return r.returncode == 0 and "Domain-0" in r.stdout, \
        (time.monotonic() - t0) * 1000, r.stdout + r.stderr


def closed_by_peer(s, timeout):
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def shares(d, root):
    os.chmod(root, 0o755)  # clients of other uids reach the socket
    ok(d.start(["--ro-group", RO_GROUP, "--max-connections", "64",
                "--reserved-connections", "16",
                "--max-connections-per-user", "40", "--head-timeout", "4",
                "--request-timeout", "8"]), "xmd starts with limits",
       open(os.path.join(root, "xmd.out")).read())
    for sub in ("", "run", "run/xmd"):
        os.chmod(os.path.join(root, sub), 0o755)
    t0 = cpu_seconds(d.proc.pid)
    p1, a = flood(d, 65534, 60)
    ok(a["held"] == 40 and a["refused"] == 20 and "xmd is busy" in a["text"],
       "one read-only user holds its 40 connections, the 20 more are "
       "answered 'xmd is busy' at once", str(a))
    p2, b = flood(d, 1, 20)
    ok(b["held"] == 8 and b["refused"] == 12,
       "a second read-only user gets only what is left of the read-only "
       "share (64 - 16 kept for root - 40)", str(b))
    good, ms, out = xm_list(root)
    ok(good, "root's xm list answers while 48 read-only connections are "
       "held (%.1f ms)" % ms, out)
    time.sleep(5.5)
    good, ms, out = xm_list(root)
    ok(good, "and after the held connections' head deadline (%.1f ms)" % ms,
       out)
    used = cpu_seconds(d.proc.pid) - t0
    ok(used < 2.0, "xmd used %.2f s of CPU over the flood (of ~8 s)" % used)
    log = d.logtext()
    n = log.count("request head not complete within 4 s")
    ok(1 <= n <= 2, "the dropped heads are logged once, then counted "
       "(%d lines for 48 drops)" % n, log[-800:])
    end(p1)
    end(p2)
    # a trickled body: a complete head, then a byte a second
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(d.sock)
    s.sendall(b"POST /RPC2 HTTP/1.1\r\nContent-Length: 900000\r\n\r\n")
    t0 = time.monotonic()
    dropped = False
    while time.monotonic() - t0 < 12:
        try:
            s.sendall(b"<")
        except OSError:
            dropped = True
            break
        if closed_by_peer(s, 1.0):
            dropped = True
            break
    took = time.monotonic() - t0
    s.close()
    ok(dropped and 6 <= took <= 11, "a body trickled a byte a second is "
       "dropped at the 8 s request deadline (after %.1f s)" % took)
    # a client that goes away before reading its answer
    for _ in range(20):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(d.sock)
        body = (b"<?xml version='1.0'?><methodCall><methodName>xend.domains"
                b"</methodName><params><param><value><int>1</int></value>"
                b"</param></params></methodCall>")
        c.sendall(b"POST /RPC2 HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s"
                  % (len(body), body))
        c.close()
    good, ms, out = xm_list(root)
    ok(good and d.proc.poll() is None, "20 clients gone before their "
       "answers: xmd answers on (%.1f ms)" % ms, out)


def out_of_fds(d, root):
    ok(d.start(), "xmd starts (default limits)",
       open(os.path.join(root, "xmd.out")).read())
    r = subprocess.run(["prlimit", "--pid", str(d.proc.pid),
                        "--nofile=48:48"], capture_output=True, text=True)
    ok(r.returncode == 0, "its fd limit lowered to 48 while it runs",
       r.stderr)
    conns = []
    try:
        for _ in range(150):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(d.sock)
            except (BlockingIOError, OSError):
                pass
            conns.append(s)
        t0 = cpu_seconds(d.proc.pid)
        time.sleep(3)
        used = cpu_seconds(d.proc.pid) - t0
        ok(used < 0.5, "150 connections on 48 fds: xmd does not spin "
           "(%.2f s of CPU in 3 s)" % used)
        log = d.logtext()
        n = log.count("accept: Too many open files")
        ok(1 <= n <= 3, "'accept: Too many open files' logged once per "
           "episode, not per attempt (%d lines)" % n, log[-800:])
    finally:
        for s in conns:
            s.close()
    time.sleep(1.5)
    good, ms, out = xm_list(root)
    ok(good, "the flood gone, root's xm list answers again (%.1f ms)" % ms,
       out)


def main():
    if not os.path.exists(H.XMD) or not os.path.exists(H.XM):
        H.skip_all("xmd or xm is not built")
    if os.geteuid() != 0:
        H.skip_all("needs root (clients of other uids, prlimit on xmd)")
    if not shutil.which("prlimit"):
        H.skip_all("needs prlimit (util-linux)")
    run(shares, "xmd-hostile-")
    run(out_of_fds, "xmd-fds-")
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
