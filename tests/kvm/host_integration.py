#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""host_integration.py: the host service logic against an isolated xmd
(--root in a temp dir, XMD_ROOT) booting the test guest: the xendomains
helper (host/xendomains: auto-start in name order, status, stop with
domains running: parallel shutdown, a paused domain destroyed after
XENDOMAINS_STOP_MAXWAIT, nothing lost), a restart of xmd keeping the
domains (KillMode=process), xmd's sd_notify readiness on a NOTIFY_SOCKET
of this test's own, the SysV scripts (host/init.d/xmd, xendomains), and
Xen 4.0's own xendomains script, unmodified, against xmtools' xm. TAP."""
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import KERNEL, XMD, XmdEnv, ok, skip  # noqa: E402

HELPER = os.path.join(H.top_builddir, "host", "xendomains")
COMPLETION = os.path.join(H.top_srcdir, "host", "xm.bash-completion")
INITD = os.path.join(H.top_builddir, "host", "init.d")
XEN40 = os.path.join(H.top_srcdir, "tests", "kvm", "xen-4.0", "xendomains")
XEN40_SHA256 = \
    "c2a17e7c301e6b3438a2f78e204048cb900042cc910d8c4c1febd1867e691f75"


class Env(XmdEnv):
    def __init__(self, prefix="host-int-"):
        super().__init__(prefix)
        self.auto = os.path.join(self.root, "auto")
        os.makedirs(self.auto)
        self.conf = os.path.join(self.root, "xendomains.conf")
        self.set_conf(5)

    def set_conf(self, maxwait):
        with open(self.conf, "w") as f:
            f.write("XENDOMAINS_AUTO=%s\nXENDOMAINS_STOP_MAXWAIT=%d\n"
                    % (self.auto, maxwait))

    def auto_cfg(self, fname, name):
        path = os.path.join(self.auto, fname)
        with open(path, "w") as f:
            f.write('name = "%s"\nkernel = "%s"\nmemory = 32\nvcpus = 1\n'
                    'extra = "xmhost=%s"\n' % (name, KERNEL, name))
        return path

    def run(self, argv, timeout=180, **env):
        e = dict(self.env, XM=H.XM, XENDOMAINS_CONFIG=self.conf, **env)
        try:
            return subprocess.run(argv, env=e, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired as ex:
            return subprocess.CompletedProcess(
                argv, 124, ex.stdout or "", "timed out\n%s" % (ex.stderr or ""))

    def xendomains(self, action, **env):
        return self.run(["sh", HELPER, action], **env)

    def rows(self):
        """{name: (id, state)} of the domains but Domain-0."""
        out = {}
        for line in self.xm("list").stdout.splitlines()[1:]:
            f = line.split()
            if len(f) >= 5 and f[0] != "Domain-0":
                out[f[0]] = (int(f[1]) if f[1].isdigit() else -1, f[4])
        return out

    def console_log(self, name):
        try:
            with open(os.path.join(self.root, "var", "log", "xmd",
                                   "console", name + ".log"), "rb") as f:
                return f.read()
        except OSError:
            return b""

    def log_marks(self, names):
        """Where each guest's console log ends now (xmd appends to it
        across creates, as xenconsoled did)."""
        return {n: len(self.console_log(n)) for n in names}

    def wait_booted(self, names, timeout=30, since=None):
        """True once every guest printed its shell prompt in its log
        (after the marks of log_marks, if given: a re-created guest)."""
        end = time.time() + timeout
        since = since or {}
        while time.time() < end:
            if all(H.PROMPT in self.console_log(n)[since.get(n, 0):]
                   for n in names):
                return True
            time.sleep(0.2)
        return False


def out_of(r):
    return "rc %d\n%s%s" % (r.returncode, r.stdout, r.stderr)


def test_helper(e):
    """host/xendomains: start in name order, status, stop (parallel,
    timeout, destroy), nothing lost."""
    e.auto_cfg("20-web", "web")
    e.auto_cfg("10-dns", "dns")
    e.auto_cfg("30-db", "db")
    e.auto_cfg("10-dns~", "leftover")  # an editor's backup: skipped
    r = e.xendomains("start")
    rows = e.rows()
    ok(r.returncode == 0 and set(rows) == {"dns", "web", "db"},
       "xendomains start: the three configs of the auto dir run, the "
       "backup file is skipped", out_of(r) + str(rows) + e.log_tail())
    ids = [rows.get(n, (-1,))[0] for n in ("dns", "web", "db")]
    ok(-1 not in ids and ids == sorted(ids),
       "started in name order (10-dns, 20-web, 30-db): ids %s" % ids)
    ok(e.wait_booted(["dns", "web", "db"]),
       "the three guests booted to their shell", e.log_tail())
    r = e.xendomains("status")
    ok(r.returncode == 0 and "3 domain(s) running" in r.stdout,
       "xendomains status: all running (0)", out_of(r))
    test_completion(e)
    e.xm("destroy", "db")
    marks = e.log_marks(["db"])
    r = e.xendomains("status")
    ok(r.returncode == 3 and "db: not running" in r.stdout,
       "status after xm destroy db: 3, db not running", out_of(r))
    r = e.xendomains("start")
    rows = e.rows()
    ok(r.returncode == 0 and set(rows) == {"dns", "web", "db"} and
       rows["dns"][0] == ids[0] and rows["web"][0] == ids[1] and
       rows["db"][0] > ids[2] and "dns is already running" in r.stdout,
       "start again: only db started, dns and web left alone",
       out_of(r) + str(rows))
    ok(e.wait_booted(["db"], since=marks), "db booted again")
    # A paused guest cannot answer the power button: it stands for a hung
    # one. Sequential `xm shutdown -w` would wait on it for ever.
    ok(e.xm("pause", "web").returncode == 0, "xm pause web")
    before = set(os.listdir(e.auto))
    t0 = time.time()
    r = e.xendomains("stop")
    took = time.time() - t0
    rows = e.rows()
    ok(r.returncode == 0 and rows == {}, "xendomains stop: no domain left",
       out_of(r) + str(rows) + e.log_tail())
    ok("web did not shut down within 5s: destroying it" in r.stdout and
       "dns did not" not in r.stdout and "db did not" not in r.stdout,
       "the paused web destroyed after XENDOMAINS_STOP_MAXWAIT=5, dns and "
       "db shut down", out_of(r))
    ok(5 <= took < 20, "stop took %.1f s: requests in parallel, one "
       "timeout of 5 s in all" % took)
    # The guests computed it: each printed its power-button line before
    # going (the destroyed one never saw the button).
    pressed = [n for n in ("dns", "db", "web")
               if b"power button: shutting down" in e.console_log(n)]
    ok(pressed == ["dns", "db"], "dns and db shut down on the power button "
       "(their consoles say so), web did not: %s" % pressed)
    ok(set(os.listdir(e.auto)) == before and
       e.xm("list").returncode == 0 and e.xmd.poll() is None,
       "nothing lost: the auto dir as it was, xmd still serving")
    r = e.xendomains("stop")
    ok(r.returncode == 0 and "no domain is running" in r.stdout,
       "stop with nothing running: 0", out_of(r))


def complete(e, *words):
    """What host/xm.bash-completion offers for `xm WORDS` (the last word
    being completed), with the build's xm first on PATH."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); '
              'COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _xm; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    env = dict(e.env, PATH=os.path.dirname(H.XM) + ":" +
               os.environ.get("PATH", ""))
    r = subprocess.run(["bash", "-c", script, "complete", COMPLETION, "xm"]
                       + list(words), env=env, capture_output=True,
                       text=True, timeout=60)
    return set(r.stdout.split())


def test_completion(e):
    """bash completion: commands from xm help, domains from xm list,
    configs from XMD_ROOT's etc/xen, options from xm help CMD."""
    etc = os.path.join(e.root, "etc", "xen")
    os.makedirs(etc, exist_ok=True)
    with open(os.path.join(etc, "mybox"), "w") as f:
        f.write('name = "mybox"\n')
    got = complete(e, "sh")
    ok("shutdown" in got and "list" not in got, "completion: xm sh<TAB> -> %s" % sorted(got))
    got = complete(e, "shutdown", "")
    ok({"dns", "web", "db"} <= got and "Domain-0" not in got,
       "completion: xm shutdown <TAB> -> the running domains %s"
       % sorted(got))
    got = complete(e, "create", "my")
    ok("mybox" in got, "completion: xm create my<TAB> -> the config "
       "etc/xen/mybox: %s" % sorted(got))
    got = complete(e, "create", "--dr")
    ok(got == {"--dryrun"}, "completion: xm create --dr<TAB> -> --dryrun "
       "(from xm help create): %s" % sorted(got))


def test_xmd_restart(e):
    """SIGTERM to xmd (what systemctl restart does with KillMode=process)
    and a new xmd: the domains and their monitors stay."""
    e.auto_cfg("40-keep", "keep")
    r = e.xendomains("start")
    ok(r.returncode == 0 and "keep" in e.rows(), "keep started",
       out_of(r))
    mons = set(H.monitor_args(e.root))
    row = e.rows().get("keep")
    e.xmd.send_signal(signal.SIGTERM)
    try:
        e.xmd.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    ok(e.xmd.poll() is not None and set(H.monitor_args(e.root)) == mons
       and mons, "xmd stopped by SIGTERM, the monitor processes %s still run"
       % sorted(mons))
    def same(a, b):
        """The same id and state; running and blocked are one (the guest
        idles between the two looks)."""
        def flags(st):
            return st.replace("r", "-").replace("b", "-")

        return a and b and a[0] == b[0] and flags(a[1]) == flags(b[1])

    ok(e.start_xmd() and same(e.rows().get("keep"), row),
       "a new xmd re-adopts keep with its id and state %s" % (row,),
       str(e.rows()) + e.log_tail())
    r = e.xendomains("stop")
    ok(r.returncode == 0 and e.rows() == {}, "stopped", out_of(r))
    os.unlink(os.path.join(e.auto, "40-keep"))


def test_notify(e):
    """xmd with NOTIFY_SOCKET: READY=1 once xm gets answers, STOPPING=1
    at SIGTERM; the monitors do not inherit the variable."""
    e.xmd.send_signal(signal.SIGTERM)
    e.xmd.wait(timeout=20)
    path = os.path.join(e.root, "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(20)
    log = open(os.path.join(e.root, "xmd.out"), "a")
    env = dict(e.env, NOTIFY_SOCKET=path)
    e.xmd = subprocess.Popen([XMD, "--root", e.root, "-d"], env=env,
                             stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)
    try:
        msg = s.recv(4096).decode()
    except socket.timeout:
        msg = ""
    fields = dict(line.split("=", 1) for line in msg.splitlines()
                  if "=" in line)
    ok(fields.get("READY") == "1" and
       fields.get("MAINPID") == str(e.xmd.pid),
       "READY=1 with MAINPID=%d on NOTIFY_SOCKET" % e.xmd.pid,
       repr(msg) + e.log_tail())
    ok(e.xm("list").returncode == 0, "xm answered at once after READY=1")
    e.auto_cfg("50-note", "note")
    e.xendomains("start")
    envs = []
    for pid in H.monitor_args(e.root):
        with open("/proc/%d/environ" % pid, "rb") as f:
            envs.append(b"NOTIFY_SOCKET=" in f.read())
    ok(envs and not any(envs), "the monitor started by this xmd has no "
       "NOTIFY_SOCKET (%d monitor(s))" % len(envs))
    e.xmd.send_signal(signal.SIGTERM)
    try:
        msg = s.recv(4096).decode()
    except socket.timeout:
        msg = ""
    ok("STOPPING=1" in msg, "STOPPING=1 at SIGTERM", repr(msg))
    e.xmd.wait(timeout=20)
    s.close()
    ok(e.start_xmd(), "xmd started again")
    e.xendomains("stop")
    os.unlink(os.path.join(e.auto, "50-note"))


def test_sysv(e):
    """host/init.d/xmd and host/init.d/xendomains: the same results."""
    e.xmd.send_signal(signal.SIGTERM)
    e.xmd.wait(timeout=20)
    e.xmd = None
    xmd_init = os.path.join(INITD, "xmd")
    xd_init = os.path.join(INITD, "xendomains")
    env = {"XMD": XMD, "XENDOMAINS_HELPER": HELPER}
    r = e.run(["sh", xmd_init, "start"], **env)
    st = e.run(["sh", xmd_init, "status"], **env)
    ok(r.returncode == 0 and st.returncode == 0 and
       e.xm("list").returncode == 0,
       "/etc/init.d/xmd start: xmd serves, status 0", out_of(r) + out_of(st))
    marks = e.log_marks(["dns", "web", "db"])
    r = e.run(["sh", xd_init, "start"], **env)
    rows = e.rows()
    ids = [rows.get(n, (-1,))[0] for n in ("dns", "web", "db")]
    ok(r.returncode == 0 and set(rows) == {"dns", "web", "db"} and
       ids == sorted(ids), "/etc/init.d/xendomains start: dns, web, db in "
       "that order (ids %s)" % ids, out_of(r) + str(rows))
    r = e.run(["sh", xd_init, "status"], **env)
    ok(r.returncode == 0, "/etc/init.d/xendomains status: 0", out_of(r))
    ok(e.wait_booted(["dns", "web", "db"], since=marks), "booted")
    r = e.run(["sh", xd_init, "stop"], **env)
    ok(r.returncode == 0 and e.rows() == {} and
       "destroying" not in r.stdout,
       "/etc/init.d/xendomains stop: all shut down, none destroyed",
       out_of(r))
    r = e.run(["sh", xmd_init, "stop"], **env)
    st = e.run(["sh", xmd_init, "status"], **env)
    ok(r.returncode == 0 and st.returncode == 3,
       "/etc/init.d/xmd stop: not running (status 3)",
       out_of(r) + out_of(st))
    ok(e.start_xmd(), "xmd started again")


# Run Xen's script in a private mount namespace that looks like a dom0:
# /proc a tmpfs with xen/privcmd and links to the real proc's entries
# (self: bash's /dev/fd), /etc a tmpfs of links to the real /etc plus
# sysconfig/xendomains, /var/lock a directory of the test's. ps (the
# script's watchdog) runs in the test's own mount namespace.
XEN40_SETUP = r'''
set -e
T=$1; shift
mount --make-rprivate / 2>/dev/null || true
mkdir -p "$T/realproc" "$T/realetc" "$T/lock/subsys" "$T/bin"
mount --bind /proc "$T/realproc"
mount --bind /etc "$T/realetc"
mount -t tmpfs xmtest-proc /proc
mkdir /proc/xen && : > /proc/xen/privcmd
for f in "$T"/realproc/*; do
	case ${f##*/} in [0-9]*) ;; *) ln -s "$f" "/proc/${f##*/}" ;; esac
done
mount -t tmpfs xmtest-etc /etc
for f in "$T"/realetc/* "$T"/realetc/.[!.]*; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	ln -s "$f" "/etc/${f##*/}"
done
rm -f /etc/sysconfig && mkdir /etc/sysconfig
cp "$T/sysconfig" /etc/sysconfig/xendomains
d=$(readlink -f /var/lock)
[ -d "$d" ] || mkdir -p "$d"
mount --bind "$T/lock" "$d"
exec bash "$@"
'''


def test_xen40(e):
    """Xen 4.0.0's xendomains, byte for byte: start, status, stop."""
    with open(XEN40, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if not ok(digest == XEN40_SHA256, "tests/kvm/xen-4.0/xendomains is "
              "Xen 4.0.0's (SHA-256 %s)" % digest[:16]):
        return
    missing = [p for p in ("unshare", "nsenter", "bash", "ps")
               if not shutil.which(p)]
    if missing:
        for what in ("start", "status", "stop", "nothing left"):
            skip("Xen 4.0 xendomains " + what, "no %s" % " ".join(missing))
        return
    t = tempfile.mkdtemp(prefix="xen40-", dir=e.root)
    auto = os.path.join(t, "auto")
    os.makedirs(auto)
    for fname, name in (("b-second", "x40b"), ("a-first", "x40a")):
        with open(os.path.join(auto, fname), "w") as f:
            f.write('name = "%s"\nkernel = "%s"\nmemory = 32\nvcpus = 1\n'
                    % (name, KERNEL))
    with open(os.path.join(t, "sysconfig"), "w") as f:
        f.write('XENDOMAINS_AUTO=%s\nXENDOMAINS_SAVE=""\n'
                'XENDOMAINS_RESTORE=false\nXENDOMAINS_AUTO_ONLY=false\n'
                'XENDOMAINS_SHUTDOWN="--halt --wait"\n'
                'XENDOMAINS_SHUTDOWN_ALL="--all --halt --wait"\n'
                'XENDOMAINS_STOP_MAXWAIT=60\nXENDOMAINS_CREATE_USLEEP=0\n'
                'XENDOMAINS_MIGRATE=""\nXENDOMAINS_SYSRQ=""\n' % auto)
    bindir = os.path.join(t, "bin")
    os.makedirs(bindir, exist_ok=True)
    os.symlink(H.XM, os.path.join(bindir, "xm"))
    with open(os.path.join(bindir, "ps"), "w") as f:
        f.write('#!/bin/sh\nexec nsenter --mount=%s/realproc/%d/ns/mnt '
                '-- ps "$@"\n' % (t, os.getpid()))
    os.chmod(os.path.join(bindir, "ps"), 0o755)
    env = dict(e.env, PATH=bindir + ":" + os.environ.get("PATH", ""))
    # The fake /proc has no per-process entries, which LeakSanitizer reads
    # (/proc/PID/task): in a sanitizer build xm runs there without it.
    env["ASAN_OPTIONS"] = ":".join(
        x for x in (env.get("ASAN_OPTIONS"), "detect_leaks=0") if x)

    def xen40(action):
        argv = ["unshare", "-m", "sh", "-c", XEN40_SETUP, "setup", t,
                XEN40, action]
        try:
            return subprocess.run(argv, env=env, capture_output=True,
                                  text=True, timeout=180)
        except subprocess.TimeoutExpired as ex:
            return subprocess.CompletedProcess(argv, 124, ex.stdout or "",
                                               "timed out")

    r = xen40("start")
    rows = e.rows()
    ok(r.returncode == 0 and set(rows) == {"x40a", "x40b"} and
       rows["x40a"][0] < rows["x40b"][0] and
       "Starting auto Xen domains: a-first b-second" in r.stdout,
       "Xen 4.0 xendomains start: x40a then x40b created", out_of(r) +
       str(rows) + e.log_tail())
    r = xen40("status")
    ok(r.returncode == 0 and " x40a x40b" in r.stdout,
       "Xen 4.0 xendomains status: both auto domains up (0)", out_of(r))
    e.wait_booted(["x40a", "x40b"])
    r = xen40("stop")
    ok(r.returncode == 0 and "Shutting down Xen domains: x40a(shut) "
       "x40b(shut)" in r.stdout and "error" not in r.stdout,
       "Xen 4.0 xendomains stop: xm shutdown ID --halt --wait to each",
       out_of(r))
    rows = e.rows()
    ok(rows == {} and all(b"power button: shutting down" in
                          e.console_log(n) for n in ("x40a", "x40b")),
       "nothing left running: both guests shut down on the power button",
       str(rows))


def main():
    H.require(paths=((H.XM, "xm"), (XMD, "xmd"), (H.XMHV, "xmhv"),
                     (KERNEL, "the test guest kernel"),
                     (HELPER, "host/xendomains")))
    e = Env()
    try:
        if ok(e.start_xmd(), "xmd --root started", e.log_tail()):
            for t in (test_helper, test_xmd_restart, test_notify,
                      test_sysv, test_xen40):
                try:
                    t(e)
                except Exception as ex:
                    ok(False, "%s raised %r" % (t.__name__, ex))
    finally:
        e.cleanup()
    sys.exit(H.plan())


if __name__ == "__main__":
    main()
