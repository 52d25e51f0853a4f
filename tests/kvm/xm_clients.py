#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xm_clients.py: real clients of xm's command line, unmodified, from their
Debian packages, against a real xmd booting the test guest: Ganeti's
XenPvmHypervisor (ganeti 3.0: verify, node info, start paused, the console
wrapper unpausing it, list, balloon, reboot, stop) and Pacemaker's
ocf:heartbeat:Xen agent (start, monitor, stop). SKIPs with the reason when
the packages are not installed (scripts/install-deps installs them). TAP."""
import os
import pty
import re
import select
import shutil
import subprocess
import tempfile
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import KERNEL, XM, XmdEnv, ok, skip  # noqa: E402

GANETI_PATH = "/usr/share/ganeti/3.0"
GANETI_WRAPPER = "/usr/lib/ganeti/tools/xen-console-wrapper"
OCF_ROOT = "/usr/lib/ocf"
OCF_XEN = OCF_ROOT + "/resource.d/heartbeat/Xen"
# Debian's packages install their modules for Debian's interpreter.
DEBIAN_PYTHON = "/usr/bin/python3"


def requirements():
    H.require()


def ganeti_missing():
    if not os.path.isdir(os.path.join(GANETI_PATH, "ganeti")):
        return "ganeti is not installed (apt-get install ganeti)"
    if not os.path.exists(DEBIAN_PYTHON):
        return "no %s for Ganeti's modules" % DEBIAN_PYTHON
    r = subprocess.run([DEBIAN_PYTHON, "-c",
                        "from ganeti.hypervisor import hv_xen"],
                       env=dict(os.environ, PYTHONPATH=GANETI_PATH),
                       capture_output=True, text=True)
    if r.returncode != 0:
        return "Ganeti's hv_xen does not import: %s" % (
            r.stderr.strip().splitlines() or ["?"])[-1]
    return None


def ocf_missing():
    if not os.path.exists(OCF_XEN):
        return "resource-agents is not installed (apt-get install " \
               "resource-agents)"
    if shutil.which("xl"):
        return "xl is installed: the Xen agent prefers it over xm"
    return None


class Env(XmdEnv):
    """xmd's environment, with xm on PATH as the clients call it."""
    def __init__(self):
        super().__init__("xm-clients-", xm="xm")
        # ocf:heartbeat:Xen quotes the name for xl when its tool's path
        # matches "x.*xl": a random directory name must not say "xl".
        self.bin = os.path.join(self.root, "bin")
        self.own_bin = None
        while "xl" in self.bin:
            if self.own_bin:
                os.rmdir(self.own_bin)
            self.bin = self.own_bin = tempfile.mkdtemp(prefix="xmbin-")
        os.makedirs(self.bin, exist_ok=True)
        os.symlink(XM, os.path.join(self.bin, "xm"))
        self.env["PATH"] = self.bin + os.pathsep + os.environ["PATH"]

    def cleanup(self):
        super().cleanup()
        if self.own_bin:
            shutil.rmtree(self.own_bin, ignore_errors=True)


# The Ganeti side runs in Debian's interpreter with Ganeti's modules; each
# step is one call of this program printing "OK <detail>" or "FAIL <why>".
GANETI_DRIVER = r'''
import sys, json
from ganeti import constants, objects
from ganeti.hypervisor import hv_xen, hv_base
cfgdir, kernel, step = sys.argv[1:4]
hvp = dict(constants.HVC_DEFAULTS[constants.HT_XEN_PVM])
hvp.update({"kernel_path": kernel, "root_path": "", "kernel_args": "xmganeti=1",
            "xen_cmd": "xm"})
bep = dict(constants.BEC_DEFAULTS)
bep.update({"maxmem": 32, "minmem": 32, "vcpus": 1})
inst = objects.Instance(name="gnt1", hvparams=hvp, beparams=bep, nics=[],
                        disks=[], hypervisor=constants.HT_XEN_PVM,
                        uuid="6d1f0b83-1d5e-4d3c-9a8e-0f4a6c1e2b01")
hv = hv_xen.XenPvmHypervisor(_cfgdir=cfgdir)
try:
    if step == "verify":
        r = hv.Verify(hvparams=hvp)
        print("OK" if r is None else "FAIL %s" % r)
    elif step == "nodeinfo":
        i = hv.GetNodeInfo(hvparams=hvp)
        need = ("memory_total", "memory_free", "cpu_total", "cpu_nodes",
                "cpu_sockets", constants.HV_NODEINFO_KEY_VERSION)
        miss = [k for k in need if i is None or k not in i]
        print("FAIL missing %s in %r" % (miss, i) if miss else "OK %r" % (i,))
    elif step == "start-paused":
        hv.StartInstance(inst, [], True)
        print("OK")
    elif step == "info":
        i = hv.GetInstanceInfo("gnt1", hvparams=hvp)
        if i is None:
            print("FAIL not listed")
        else:
            print("OK %d %s" % (i[1], "running"
                                if hv_base.HvInstanceState.IsRunning(i[4])
                                else "shutdown"))
    elif step == "list":
        print("OK %s" % ",".join(hv.ListInstances(hvparams=hvp)))
    elif step == "balloon":
        hv.BalloonInstanceMemory(inst, 32)
        print("OK")
    elif step == "reboot":
        hv.RebootInstance(inst)
        print("OK")
    elif step == "stop":
        hv.StopInstance(inst)
        print("OK")
    else:
        print("FAIL unknown step")
except Exception as ex:
    print("FAIL %s: %s" % (type(ex).__name__, ex))
'''


def ganeti(e, step):
    r = subprocess.run([DEBIAN_PYTHON, "-c", GANETI_DRIVER,
                        os.path.join(e.root, "ganeti-xen"), KERNEL, step],
                       env=dict(e.env, PYTHONPATH=GANETI_PATH),
                       capture_output=True, text=True, timeout=300)
    out = (r.stdout.strip().splitlines() or ["FAIL no output"])[-1]
    return out.startswith("OK"), out[3:] if out.startswith("OK") else \
        out + "\n" + r.stderr[-500:]


def console_wrapper(e):
    """Ganeti's xen-console-wrapper on a pty: it unpauses the instance and
    execs `xm console`; we wait for the guest prompt, then CTRL-]."""
    m, s = pty.openpty()
    p = subprocess.Popen([GANETI_WRAPPER, "xm", "gnt1"], env=e.env,
                         stdin=s, stdout=s, stderr=s, close_fds=True)
    os.close(s)
    buf = b""
    end = time.time() + 60
    sent = False
    while time.time() < end and b"xmganeti-ok" not in buf.split(
            b"echo xmganeti-ok")[-1]:
        r, _, _ = select.select([m], [], [], 0.2)
        if r:
            try:
                buf += os.read(m, 65536)
            except OSError:
                break
        if not sent and b"xmguest# " in buf:
            os.write(m, b"echo xmganeti-ok\r")
            sent = True
    os.write(m, b"\x1d")
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    os.close(m)
    return (b"unpausing" in buf and sent and p.returncode == 0 and
            b"xmganeti-ok\r\n" in buf.split(b"echo xmganeti-ok")[-1]), buf


def test_ganeti(e):
    why = ganeti_missing()
    if why:
        skip("Ganeti XenPvmHypervisor against xm", why)
        return
    os.mkdir(os.path.join(e.root, "ganeti-xen"))
    for step, desc in (("verify", "Ganeti: Verify (xm info)"),
                       ("nodeinfo", "Ganeti: GetNodeInfo parses xm info"),
                       ("start-paused", "Ganeti: StartInstance paused")):
        good, out = ganeti(e, step)
        ok(good, desc, out)
    r = e.xm("list", "gnt1")
    ok(r.returncode == 0 and re.search(r"^gnt1\s+\d+\s+32\s+1\s+--p---",
                                       r.stdout, re.M),
       "xm list shows gnt1 paused", r.stdout + r.stderr)
    good, buf = console_wrapper(e)
    ok(good, "Ganeti: xen-console-wrapper unpauses, attaches, CTRL-] leaves",
       buf[-400:])
    good, out = ganeti(e, "list")
    ok(good and out.split(",") == ["gnt1"], "Ganeti: ListInstances", out)
    good, out = ganeti(e, "info")
    ok(good and out.endswith("running"), "Ganeti: GetInstanceInfo running",
       out)
    old_id = out.split()[0] if good else "?"
    good, out = ganeti(e, "balloon")
    ok(good, "Ganeti: BalloonInstanceMemory (xm mem-set)", out)
    good, out = ganeti(e, "reboot")
    ok(good, "Ganeti: RebootInstance (new domain id)", out)
    good, out = ganeti(e, "info")
    ok(good and out.split()[0] != old_id,
       "... id %s -> %s" % (old_id, out.split()[0] if good else "?"), out)
    good, out = ganeti(e, "stop")
    ok(good, "Ganeti: StopInstance (shutdown -w of a preserved domain, "
       "destroy)", out)
    good, out = ganeti(e, "list")
    ok(good and out == "", "Ganeti: no instance left", out)


def ocf(e, action, cfg):
    env = dict(e.env, OCF_ROOT=OCF_ROOT, OCF_RESOURCE_INSTANCE="ocf1",
               OCF_RESKEY_xmfile=cfg, OCF_RESKEY_shutdown_timeout="60",
               __OCF_ACTION=action)
    try:
        return subprocess.run([OCF_XEN, action], env=env,
                              capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired as ex:
        # the agent loops until the domain runs: say what xm showed
        out = "%s\n%s" % (ex.stdout or "", ex.stderr or "")
        return subprocess.CompletedProcess(
            ex.cmd, 124, out, "timed out after 180 s\n" + out +
            e.xm("list", "-l", "ocf1").stdout + e.log_tail())


def test_ocf(e):
    why = ocf_missing()
    if why:
        skip("ocf:heartbeat:Xen against xm", why)
        return
    cfg = os.path.join(e.root, "ocf1.cfg")
    with open(cfg, "w") as f:
        f.write('kernel = "%s"\nmemory = 32\nvcpus = 1\nname = "ocf1"\n'
                'extra = "xmocf=1"\n' % KERNEL)
    r = ocf(e, "monitor", cfg)
    ok(r.returncode == 7, "ocf:Xen monitor before start: not running (7), "
       "got %d" % r.returncode, r.stderr)
    r = ocf(e, "start", cfg)
    ok(r.returncode == 0, "ocf:Xen start", r.stdout + r.stderr + e.log_tail())
    r = ocf(e, "monitor", cfg)
    ok(r.returncode == 0, "ocf:Xen monitor: running", r.stdout + r.stderr)
    r = ocf(e, "stop", cfg)
    ok(r.returncode == 0, "ocf:Xen stop", r.stdout + r.stderr)
    r = ocf(e, "monitor", cfg)
    ok(r.returncode == 7, "ocf:Xen monitor after stop: not running (7), "
       "got %d" % r.returncode, r.stderr)
    ok(e.xm("list", "ocf1").returncode == 3, "ocf1 is gone")


def main():
    requirements()
    e = Env()
    try:
        if ok(e.start_xmd(), "xmd --root started"):
            for t in (test_ganeti, test_ocf):
                try:
                    t(e)
                except Exception as ex:
                    ok(False, "%s raised %r" % (t.__name__, ex))
    finally:
        e.cleanup()
    sys.exit(H.plan())


if __name__ == "__main__":
    main()
