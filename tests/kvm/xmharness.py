# SPDX-License-Identifier: GPL-2.0-or-later
"""xmharness.py: the harness shared by the xm/xmd integration tests and the
lifecycle benchmark: where the built binaries are, the requirements check,
an isolated xmd (--root in a temp dir, XMD_ROOT) driven through xm, cleanup
of leftover xmhv monitors, and the TAP helpers (ok, skip, skip_all, plan).
Import it with this file's directory on sys.path."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

top_builddir = os.environ.get("top_builddir", os.getcwd())
top_srcdir = os.environ.get("top_srcdir",
                            os.path.join(os.path.dirname(__file__), "..", ".."))
XM = os.path.join(top_builddir, "xmctl", "xm")
XMD = os.path.join(top_builddir, "xmd", "xmd")
XMHV = os.path.join(top_builddir, "hypervisor", "xmhv")
KERNEL = os.path.join(top_builddir, "tests", "guest", "guest.bzImage")
PROMPT = b"xmguest# "

# TAP state: read them as xmharness.n_tests / xmharness.n_failed.
n_tests = 0
n_failed = 0


def ok(cond, desc, diag=None, todo=None, diag_lines=15):
    """One TAP result; todo marks a known gap of another component (an
    expected failure, reported but not fatal). diag is printed (its last
    diag_lines lines) when cond is false. Returns cond."""
    global n_tests, n_failed
    n_tests += 1
    if not cond and not todo:
        n_failed += 1
    print("%sok %d - %s%s" % ("" if cond else "not ", n_tests, desc,
                              " # TODO %s" % todo if todo else ""),
          flush=True)
    if not cond and diag is not None:
        for line in str(diag).splitlines()[-diag_lines:]:
            print("#   " + line, flush=True)
    return cond


def skip(desc, reason):
    """One skipped TAP test (desc None: no description)."""
    global n_tests
    n_tests += 1
    if desc is None:
        print("ok %d # SKIP %s" % (n_tests, reason), flush=True)
    else:
        print("ok %d - %s # SKIP %s" % (n_tests, desc, reason), flush=True)


def planned_checks(program=None):
    """How many checks tests/check-counts ($XM_CHECK_COUNTS) says program
    (default: this one) runs, or 0."""
    program = os.path.abspath(program or sys.argv[0])
    try:
        with open(os.environ["XM_CHECK_COUNTS"]) as f:
            for line in f:
                w = line.split()
                if (len(w) == 2 and not line.startswith("#") and
                        (program == w[0] or program.endswith("/" + w[0]))):
                    return int(w[1])
    except (KeyError, OSError, ValueError):
        pass
    return 0


def skip_all(reason):
    """Skip the whole program and exit 0: one SKIP per check it would have
    run (tests/check-counts), else plan 1..0; when the kvm tier could not
    start at all, $XM_KVM_SKIP_REASON says why and replaces reason."""
    reason = os.environ.get("XM_KVM_SKIP_REASON") or reason
    n = planned_checks()
    for i in range(1, n + 1):
        print("ok %d - check %d of %d not run # SKIP %s" % (i, i, n, reason))
    print("1..%d" % n if n else "1..0 # SKIP %s" % reason, flush=True)
    sys.exit(0)


def plan():
    """Print the trailing plan; returns the exit status (1 if any failed)."""
    print("1..%d" % n_tests)
    return 1 if n_failed else 0


def require(paths=((XM, "xm"), (XMD, "xmd"), (XMHV, "xmhv"),
                   (KERNEL, "the test guest kernel")),
            root_reason="needs root (xmd manages /dev/kvm monitors)"):
    """skip_all unless root, /dev/kvm and the given (path, what) exist."""
    if os.geteuid() != 0:
        skip_all(root_reason)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        skip_all("no usable /dev/kvm")
    for path, what in paths:
        if not os.path.exists(path):
            skip_all("%s is not built (%s)" % (what, path))


def monitor_args(root):
    """{pid: argv (bytes)} of the xmhv monitors started under root."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if any(a.startswith(root.encode() + b"/") for a in args) and \
                os.path.basename(args[0]) == b"xmhv":
            out[int(pid)] = args
    return out


def kill_monitors(root):
    """Kill what is left of the xmhv monitors started under root (they are
    not in xmd's process group by design: they outlive xmd restarts)."""
    for pid in monitor_args(root):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class XmdEnv:
    """An isolated xmd (--root in a fresh temp dir named prefix*, its output
    in <root>/xmd.out) and xm run against it through XMD_ROOT."""
    log_lines = 15

    def __init__(self, prefix, xm=XM, env=None):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.xm_cmd = xm
        self.env = dict(os.environ, XMD_ROOT=self.root, XMHV_PATH=XMHV,
                        **(env or {}))
        self.xmd = None

    def start_xmd(self):
        """Start xmd; True once `xm list` answers (20 s at most)."""
        log = open(os.path.join(self.root, "xmd.out"), "a")
        self.xmd = subprocess.Popen([XMD, "--root", self.root, "-d"],
                                    env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True)
        end = time.time() + 20
        while time.time() < end:
            if self.xm("list").returncode == 0:
                return True
            if self.xmd.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def xm(self, *args, timeout=120):
        """Run xm with args; the CompletedProcess (text output)."""
        return subprocess.run([self.xm_cmd] + list(args), env=self.env,
                              capture_output=True, text=True,
                              timeout=timeout)

    def monitor_pid(self, name):
        """The pid of domain name's xmhv monitor (its --domid is the one
        `xm list` shows), or None."""
        domid = None
        for line in self.xm("list").stdout.splitlines():
            f = line.split()
            if f and f[0] == name:
                domid = f[1].encode()
        for pid, args in monitor_args(self.root).items():
            if b"--domid" in args and args.index(b"--domid") + 1 < len(args) \
                    and args[args.index(b"--domid") + 1] == domid:
                return pid
        return None

    def log_tail(self, n=None):
        """The last n lines of xmd's output ("" if none)."""
        try:
            with open(os.path.join(self.root, "xmd.out")) as f:
                return "".join(f.readlines()[-(n or self.log_lines):])
        except OSError:
            return ""

    def cleanup(self):
        """Destroy the domains, kill xmd and the monitors, remove root."""
        try:
            for line in self.xm("list", timeout=20).stdout.splitlines()[1:]:
                if line.split() and line.split()[0] != "Domain-0":
                    self.xm("destroy", line.split()[0], timeout=20)
        except Exception:
            pass
        if self.xmd is not None:
            try:
                os.killpg(self.xmd.pid, signal.SIGKILL)
            except Exception:
                pass
            try:
                self.xmd.wait(timeout=5)
            except Exception:
                pass
        kill_monitors(self.root)
        shutil.rmtree(self.root, ignore_errors=True)
