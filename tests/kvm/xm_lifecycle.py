#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xm_lifecycle.py: xm against a real xmd (--root in a temp dir) booting the
test guest: create, list formats, info, console through a pty and through
pipes (CTRL-] detach, terminal restored, takeover), pause/unpause, rename,
reboot (new id, console follows), shutdown -w with preserve, managed
domains, kill -9 of xmd, exit statuses. TAP output."""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import KERNEL, PROMPT, XM, XmdEnv, ok  # noqa: E402


def check_requirements():
    H.require()


class Env(XmdEnv):
    log_lines = 12

    def __init__(self):
        super().__init__("xm-lifecycle-")

    def kill_xmd(self):
        if self.xmd is not None:
            try:
                os.kill(self.xmd.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.xmd.wait()

    def cfg(self, name, extra=""):
        path = os.path.join(self.root, name + ".cfg")
        with open(path, "w") as f:
            f.write('name = "%s"\nkernel = "%s"\nmemory = 32\nvcpus = 1\n'
                    'extra = "xmtest=%s"\n%s' % (name, KERNEL, name, extra))
        return path

    def row(self, name):
        r = self.xm("list")
        for line in r.stdout.splitlines():
            f = line.split()
            if f and f[0] == name:
                return f
        return None



class Console:
    """xm console (or create -c) on a pty (tty=True) or on pipes."""

    def __init__(self, env, args, tty=True):
        self.buf = b""
        self.pos = 0  # end of the last match
        self.tty = tty
        if tty:
            self.master, self.slave = pty.openpty()
            self.before = termios.tcgetattr(self.slave)
            self.p = subprocess.Popen([XM] + args, env=env.env,
                                      stdin=self.slave, stdout=self.slave,
                                      stderr=self.slave, close_fds=True)
            self.rfd = self.master
            self.wfd = self.master
        else:
            self.p = subprocess.Popen([XM] + args, env=env.env,
                                      stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT)
            self.rfd = self.p.stdout.fileno()
            self.wfd = self.p.stdin.fileno()

    def expect(self, pattern, timeout=60):
        """Read until pattern (bytes regex) appears after the end of the
        last match; returns True/False."""
        end = time.time() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.buf, self.pos)
            if m:
                self.pos = m.end()
                return True
            if time.time() >= end:
                return False
            r, _, _ = select.select([self.rfd], [], [], 0.2)
            if r:
                try:
                    data = os.read(self.rfd, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
                self.buf += data
        m = rx.search(self.buf, self.pos)
        if m:
            self.pos = m.end()
        return m is not None

    def drain(self, timeout=5):
        """Read what is left once the process is gone."""
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([self.rfd], [], [], 0.2)
            if not r:
                if self.p.poll() is not None:
                    return
                continue
            try:
                data = os.read(self.rfd, 65536)
            except OSError:
                return
            if not data:
                return
            self.buf += data

    def send(self, data):
        os.write(self.wfd, data)

    def command(self, line, reply, timeout=60):
        """Type a line into the guest shell, wait for reply."""
        self.pos = len(self.buf)
        self.send(line.encode() + b"\r")
        return self.expect(reply, timeout)

    def detach(self, timeout=15):
        self.send(b"\x1d")
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None
        return self.p.returncode

    def wait(self, timeout=15):
        try:
            self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.p.returncode

    def restored(self):
        return termios.tcgetattr(self.slave) == self.before

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        if self.tty:
            os.close(self.master)
            os.close(self.slave)


def wait_for(pred, timeout=60, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


LIST_HDR = ("Name                                        ID   Mem VCPUs"
            "      State   Time(s)")
ROW_RX = r"^(\S+)\s+(-?\d+)\s+(\d+)\s+(\d+)\s+([-rbpscd]{6})\s+(\d+\.\d)$"


def test_basics(e):
    r = e.xm("list")
    lines = r.stdout.splitlines()
    ok(r.returncode == 0 and lines and lines[0] == LIST_HDR,
       "xm list: xm's header", r.stdout + r.stderr)
    ok(len(lines) > 1 and re.match(r"^Domain-0\s+0\s+\d+\s+\d+\s+r-----",
                                   lines[1]),
       "xm list: Domain-0 row with host memory and CPUs", r.stdout)
    r = e.xm("info")
    keys = dict(re.findall(r"^(\S+)\s*: (.*)$", r.stdout, re.M))
    ok(r.returncode == 0 and all(k in keys for k in (
        "total_memory", "free_memory", "nr_cpus", "nr_nodes",
        "cores_per_socket", "threads_per_core", "cpu_mhz", "xen_major",
        "xen_minor", "xen_extra", "xen_caps")),
       "xm info: xend's keys", r.stdout + r.stderr)
    ok(re.search(r"^total_memory {11}: \d+$", r.stdout, re.M) is not None,
       "xm info: %-23s: %s lines", r.stdout)


def test_create_list(e):
    r = e.xm("create", e.cfg("t1"))
    ok(r.returncode == 0 and 'Using config file "' in r.stdout and
       re.search(r"Started domain t1 \(id=\d+\)", r.stdout),
       "xm create: Using config file / Started domain t1 (id=N)",
       r.stdout + r.stderr)
    f = e.row("t1")
    ok(f is not None and len(f) == 6 and f[2] == "32" and f[3] == "1",
       "xm list: six fields, 32 MiB, 1 vCPU", f)
    r = e.xm("list")
    rows = [l for l in r.stdout.splitlines()[1:]]
    ok(all(re.match(ROW_RX, l) for l in rows), "every row parses", r.stdout)
    r = e.xm("list", "--long", "t1")
    st = [l for l in r.stdout.splitlines() if "status" in l]
    ok(r.returncode == 0 and "\n    (name t1)\n" in r.stdout and
       re.search(r"^    \(domid \d+\)$", r.stdout, re.M) and
       re.search(r"^    \(cpu_time [\d.]+\)$", r.stdout, re.M) and
       re.search(r"^    \(state [-rbpscd]{6}\)$", r.stdout, re.M) and
       st == ["    (status 2)"],
       "xm list --long: SXP, one child per line, (status 2) only",
       r.stdout + r.stderr)
    r = e.xm("list", "--xml")
    try:
        doms = ET.fromstring(r.stdout).findall("domain")
        names = [d.findtext("name") for d in doms]
    except ET.ParseError as ex:
        names = [str(ex)]
    ok(names[:1] == ["Domain-0"] and "t1" in names,
       "xm list --xml parses, Domain-0 first", r.stdout[:300])
    r = e.xm("create", e.cfg("t1"))
    ok(r.returncode != 0 and "Error:" in r.stderr,
       "create of an existing name fails", r.stdout + r.stderr)


def test_console(e):
    c = Console(e, ["console", "t1"])
    got = c.expect(PROMPT, 90)
    got = got or c.command("", PROMPT, 30)
    ok(got, "console: guest prompt (recent output shown on attach)",
       c.buf[-300:])
    ok(c.command("echo hello-4711", rb"hello-4711\r?\n"),
       "console: echo typed into the guest comes back", c.buf[-300:])
    rc = c.detach()
    ok(rc == 0, "console: CTRL-] detaches with exit 0 (rc=%s)" % rc)
    ok(c.restored(), "console: terminal settings restored exactly")
    c.close()

    p = Console(e, ["console", "t1"], tty=False)
    ok(p.command("echo piped-1234", rb"piped-1234\r?\n"),
       "console without a terminal (pipes)", p.buf[-300:])
    q = Console(e, ["console", "t1"], tty=False)
    rc = p.wait(20)
    p.drain()
    ok(rc == 0 and b"taken over" in p.buf,
       "a second xm console takes over; the first exits (rc=%s)" % rc,
       p.buf[-200:])
    ok(q.command("echo second-99", rb"second-99\r?\n"),
       "... and the second one works", q.buf[-300:])
    ok(q.detach() == 0, "... CTRL-] through a pipe")
    p.close()
    q.close()


def test_domain_cmds(e):
    r = e.xm("pause", "t1")
    f = e.row("t1")
    ok(r.returncode == 0 and f and f[4][2] == "p", "pause: --p---", f)
    r = e.xm("unpause", "t1")
    f = e.row("t1")
    ok(r.returncode == 0 and f and f[4][2] == "-", "unpause", f)
    domid = f[1] if f else "?"
    r = e.xm("rename", "t1", "t1b")
    r2 = e.xm("domname", domid)
    ok(r.returncode == 0 and r2.stdout.strip() == "t1b",
       "rename, domname", r.stderr + r2.stdout + r2.stderr)
    r = e.xm("domid", "t1b")
    ok(r.stdout.strip() == domid, "domid", r.stdout + r.stderr)
    e.xm("rename", "t1b", "t1")
    for args in (("vcpu-list", "t1"), ("uptime", "t1"), ("uptime", "-s"),
                 ("block-list", "t1"), ("network-list", "t1"),
                 ("mem-set", "t1", "32"), ("vcpu-set", "t1", "1"),
                 ("log",), ("vcpu-l", "t1")):
        r = e.xm(*args)
        ok(r.returncode == 0, "xm %s" % " ".join(args), r.stdout + r.stderr)
    r = e.xm("destroy", "nosuch")
    ok(r.returncode == 3 and
       r.stderr.strip() == "Error: Domain 'nosuch' does not exist.",
       "missing domain: message and exit status 3", r.stderr)
    for args in (("shutdown", "nosuch"), ("console", "nosuch"),
                 ("list", "nosuch")):
        r = e.xm(*args)
        ok(r.returncode == 3, "xm %s: exit 3" % " ".join(args), r.stderr)


def test_vcpu_set(e):
    """xm vcpu-set through xmd and libxmhv: the guest brings a CPU online
    and takes it offline again (ACPI CPU hotplug); xm list follows."""
    r = e.xm("create", e.cfg("t9", "maxvcpus = 2\n"))
    ok(r.returncode == 0, "create t9: vcpus = 1, maxvcpus = 2",
       r.stdout + r.stderr)
    c = Console(e, ["console", "t9"], tty=False)
    c.command("", PROMPT, 60)
    for n in (2, 1):
        c.pos = len(c.buf)
        r = e.xm("vcpu-set", "t9", str(n))
        ok(r.returncode == 0 and c.expect(rb"cpus: %d online" % n, 60),
           "xm vcpu-set t9 %d: the guest has %d CPUs online" % (n, n),
           r.stderr + c.buf[-300:].decode(errors="replace"))
        ok(wait_for(lambda: (e.row("t9") or [""] * 4)[3] == str(n), 30),
           "xm list: %d vCPUs online" % n, e.row("t9"))
    c.detach()
    c.close()
    e.xm("destroy", "t9")


def test_reboot(e):
    old = e.row("t1")
    c = Console(e, ["console", "t1"], tty=False)
    c.command("", PROMPT, 30)
    r = e.xm("reboot", "-w", "t1", timeout=120)
    new = e.row("t1")
    ok(r.returncode == 0 and old and new and new[1] != old[1],
       "reboot -w: new domain id (%s -> %s)" % (old and old[1],
                                                new and new[1]),
       r.stdout + r.stderr + e.xm("list").stdout + e.log_tail())
    ok(c.expect(rb"xmguest: booted via", 90) and c.expect(PROMPT, 60),
       "console follows the domain across the reboot", c.buf[-300:])
    ok(c.command("echo after-reboot", rb"after-reboot\r?\n"),
       "... and types into the new incarnation", c.buf[-300:])
    ok(c.detach() == 0, "... CTRL-] detaches")
    c.close()


def test_create_console(e):
    c = Console(e, ["create", "-c", e.cfg("t3")])
    ok(c.expect(rb"Started domain t3", 60) and
       c.expect(rb"xmguest: booted via", 90),
       "create -c: from the first line of guest output", c.buf[-300:])
    ok(c.expect(PROMPT, 60), "create -c: prompt", c.buf[-200:])
    ok(c.detach() == 0 and c.restored(),
       "create -c: CTRL-] detaches, terminal restored")
    c.close()
    ok(e.row("t3") is not None, "the domain still runs after detaching")
    r = e.xm("trigger", "t3", "power")
    ok(r.returncode == 0 and wait_for(lambda: e.row("t3") is None, 60),
       "trigger power: the guest powers off (on_poweroff=destroy)",
       r.stderr)


def test_preserve(e):
    r = e.xm("create", e.cfg("t2", "on_poweroff = 'preserve'\n"))
    ok(r.returncode == 0, "create t2 with on_poweroff='preserve'", r.stderr)
    c = Console(e, ["console", "t2"], tty=False)
    c.expect(PROMPT, 90)
    c.detach()
    c.close()
    r = e.xm("shutdown", "-w", "t2", timeout=120)
    ok(r.returncode == 0 and "Domain t2 terminated" in r.stdout,
       "shutdown -w returns once preserved", r.stdout + r.stderr)
    f = e.row("t2")
    ok(f is not None and f[4] == "---s--", "preserved: listed as ---s--", f)
    r = e.xm("list", "-l", "t2")
    ok("    (status 4)" in r.stdout.splitlines(), "(status 4)", r.stdout)
    r = e.xm("destroy", "t2")
    ok(r.returncode == 0 and e.row("t2") is None, "destroy removes it",
       r.stderr)


def test_shutdown_flags(e):
    for name in ("t5", "t6"):
        r = e.xm("create", e.cfg(name))
        ok(r.returncode == 0, "create %s" % name, r.stderr)
    for name in ("t5", "t6"):
        c = Console(e, ["console", name], tty=False)
        c.expect(PROMPT, 90)
        c.detach()
        c.close()
    old = e.row("t5")
    r = e.xm("shutdown", "-R", "-w", "t5", timeout=120)
    new = e.row("t5")
    ok(r.returncode == 0 and old and new and new[1] != old[1] and
       "Domain t5 rebooted" in r.stdout,
       "shutdown -R -w: rebooted with a new id", r.stdout + r.stderr)
    c = Console(e, ["console", "t5"], tty=False)
    c.expect(PROMPT, 90)
    c.detach()
    c.close()
    r = e.xm("shutdown", "-a", "-w", timeout=120)
    ok(r.returncode == 0 and "All domains terminated" in r.stdout and
       e.row("t5") is None and e.row("t6") is None and
       e.row("t1") is None,
       "shutdown -a -w: every domain shut down", r.stdout + r.stderr)
    r = e.xm("create", e.cfg("t6"))
    c = Console(e, ["console", "t6"], tty=False)
    c.expect(PROMPT, 90)
    c.detach()
    c.close()
    r = e.xm("shutdown", "-H", "-w", "t6", timeout=120)
    ok(r.returncode == 0 and e.row("t6") is None, "shutdown -H -w (halt)",
       r.stdout + r.stderr)


def test_crash(e):
    r = e.xm("create", e.cfg("t7", "on_crash = 'preserve'\n"))
    ok(r.returncode == 0, "create t7 with on_crash='preserve'", r.stderr)
    c = Console(e, ["console", "t7"], tty=False)
    c.expect(PROMPT, 90)
    c.command("crash", rb"crashing")
    # a preserved domain keeps its monitor and console (as under Xen)
    rc = c.detach()
    c.close()
    ok(rc == 0, "console of the crashed, preserved domain: CTRL-] (rc=%s)"
       % rc)
    f = wait_for(lambda: (e.row("t7") or [""] * 6)[4] == "----c-" and
                 e.row("t7"), 30)
    ok(f and f[4] == "----c-", "crashed, preserved: listed as ----c-", f)
    r = e.xm("list", "-l", "t7")
    ok("    (status 5)" in r.stdout.splitlines(), "(status 5)", r.stdout)
    e.xm("destroy", "t7")
    r = e.xm("create", e.cfg("t8"))
    old = e.row("t8")
    if not ok(r.returncode == 0 and old is not None, "create t8",
              r.stdout + r.stderr + e.log_tail()):
        return
    pidfile = os.path.join(e.root, "run", "xmd", "dom", "%s.pid" % old[1]) \
        if old else ""
    try:
        with open(pidfile) as fp:
            pid = int(fp.read().split()[0])
        os.kill(pid, signal.SIGKILL)
        killed = True
    except (OSError, ValueError, IndexError):
        killed = False
    def restarted():
        f = e.row("t8")
        return f if f and f[1] != old[1] else None

    new = wait_for(restarted, 60)
    ok(killed and new is not None,
       "kill -9 of its xmhv: on_crash=restart brings t8 back with a new id",
       "%s -> %s" % (old, new))
    e.xm("destroy", "t8")


def test_managed(e):
    r = e.xm("new", e.cfg("t4"))
    ok(r.returncode == 0, "xm new", r.stdout + r.stderr)
    r = e.xm("start", "t4")
    ok(r.returncode == 0 and wait_for(lambda: e.row("t4") and
                                      int(e.row("t4")[1]) > 0, 30),
       "xm start", r.stdout + r.stderr)
    r = e.xm("delete", "t4")
    ok(r.returncode != 0, "delete of a running managed domain refused")
    e.xm("destroy", "t4")
    r = e.xm("delete", "t4")
    ok(r.returncode == 0 and e.row("t4") is None, "destroy, delete",
       r.stderr)


def test_xmd_restart(e):
    before = e.row("t1")
    e.kill_xmd()
    r = e.xm("list")
    ok(r.returncode == 1 and "Is xmd running?" in r.stderr,
       "no daemon: exit 1, says how to start it", r.stderr)
    ok(e.start_xmd(), "xmd restarted")
    after = e.row("t1")
    ok(before and after and before[1] == after[1],
       "kill -9 of xmd: the domain is still there, same id",
       "%s / %s" % (before, after))
    r = e.xm("shutdown", "-w", "t1", timeout=120)
    ok(r.returncode == 0 and e.row("t1") is None,
       "shutdown -w: gone (on_poweroff=destroy)", r.stdout + r.stderr)


def main():
    check_requirements()
    e = Env()
    try:
        if not ok(e.start_xmd(), "xmd --root %s started" % e.root):
            with open(os.path.join(e.root, "xmd.out")) as f:
                print("# " + "\n# ".join(f.read().splitlines()[-10:]))
        else:
            for t in (test_basics, test_create_list, test_console,
                      test_domain_cmds, test_vcpu_set, test_reboot, test_create_console,
                      test_preserve, test_managed, test_xmd_restart,
                      test_shutdown_flags, test_crash):
                try:
                    t(e)
                except Exception as ex:  # a hang or crash is a failure
                    ok(False, "%s raised %r" % (t.__name__, ex))
    finally:
        e.cleanup()
    sys.exit(H.plan())


if __name__ == "__main__":
    main()
