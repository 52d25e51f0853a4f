# SPDX-License-Identifier: GPL-2.0-or-later
"""mkimage_dist.py: `xm-create-image --dist bookworm` booted (the opt-in
part of the real-Linux tier: `make check-linux-dist`, not in CI's
check-linux, since a whole Debian under nested TCG takes minutes). It
starts from the cached debootstrap tarball ($XM_IMAGE_CACHE, default
/var/cache/xmtools-images: made once on the host, as root with the
archive reachable, by `xm-create-image --dist bookworm ...`; L1 has no
network) and SKIPs saying so when there is none. The image boots its own
kernel through the config's bootloader = "pygrub" and the grub.cfg
xm-create-image wrote; checked: the step lines, e2fsck, the kernel xmd
booted from the disk, systemd's getty printing `deb1 login:` on the
console, and the guest answering the host's ping at its static address
(ifupdown's eth0, kept by net.ifnames=0 in the config and the masked
99-default.link). TAP."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "kvm"))
import l2  # noqa: E402
from boot import Tap  # noqa: E402

NAME, SUITE = "deb1", "bookworm"
IP, GW = "192.0.2.20", "192.0.2.1"


def sh(*args, **kw):
    kw.setdefault("timeout", 600)
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def main():
    top = os.environ.get("top_builddir", ".")
    mk = os.path.join(top, "imagetools", "xm-create-image")
    cache = os.environ.get("XM_IMAGE_CACHE") or "/var/cache/xmtools-images"
    tarball = os.path.join(cache, "%s-amd64.tar.gz" % SUITE)
    from xmharness import skip_all
    if not os.path.exists(tarball):
        skip_all("no cached debootstrap of %s (%s): run `xm-create-image "
                 "--dist %s ...` once as root on the host" %
                 (SUITE, tarball, SUITE))
    with open("/proc/cpuinfo") as f:
        if not re.search(r"^flags.*\b(vmx|svm)\b", f.read(), re.M):
            skip_all("this /dev/kvm has no VT-x/AMD-V under it (run "
                     "through scripts/with-kvm --linux)")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        skip_all("no usable /dev/kvm")
    tools = l2.Tools(top)
    t = Tap()
    work = tempfile.mkdtemp(prefix="mkdist.", dir="/tmp")
    bridge = "xmdist%d" % (os.getpid() % 10000)
    try:
        tools.start_xmd()
        cfgdir = os.path.join(tools.xmroot, "etc", "xen")
        env = dict(os.environ, XM_IMAGE_CACHE=cache)
        t0 = time.monotonic()
        r = sh(mk, "--hostname", NAME, "--dist", SUITE, "--dir", work,
               "--size", "2G", "--swap", "0", "--memory", "512",
               "--ip", IP, "--gateway", GW, "--bridge", bridge,
               "--password", "xm-test", "--output", cfgdir, env=env)
        out = r.stdout + r.stderr
        cfgtext = open(os.path.join(cfgdir, NAME)).read() \
            if r.returncode == 0 else ""
        t.ok(r.returncode == 0 and "debootstrap %s: cached" % SUITE in out
             and "boots its own kernel" in out and
             'extra = "console=ttyS0 net.ifnames=0"' in cfgtext,
             "xm-create-image --dist %s from the cache (%.0f s)" %
             (SUITE, time.monotonic() - t0), out)
        img = os.path.join(work, "domains", NAME, "disk.img")
        f = sh("e2fsck", "-fn", img)
        t.ok(f.returncode == 0, "e2fsck -fn: clean", f.stdout + f.stderr)
        sh("ip", "link", "add", bridge, "type", "bridge")
        sh("ip", "addr", "add", GW + "/24", "dev", bridge)
        sh("ip", "link", "set", bridge, "up")
        c = sh(tools.xm, "create", os.path.join(cfgdir, NAME),
               env=tools.xm_env())
        t.ok(c.returncode == 0 and "vmlinuz-" in c.stdout + c.stderr,
             "xm create boots the kernel of the image's grub.cfg",
             c.stdout + c.stderr)
        con = os.path.join(tools.xmroot, "var", "log", "xmd", "console",
                           NAME + ".log")
        log, pinged = "", False
        deadline = time.monotonic() + 480
        while time.monotonic() < deadline and c.returncode == 0:
            try:
                with open(con, errors="replace") as fh:
                    log = fh.read().replace("\r", "")
            except OSError:
                pass
            if re.search(r"^%s login: ?" % NAME, log, re.M):
                pinged = sh("ping", "-c", "3", "-W", "3",
                            IP).returncode == 0
                break
            time.sleep(2)
        sh(tools.xm, "destroy", NAME, env=tools.xm_env())
        os.makedirs(os.path.join(top, "tests", "linux", "artifacts"),
                    exist_ok=True)
        with open(os.path.join(top, "tests", "linux", "artifacts",
                               "mkimage-dist-console.log"), "w") as fh:
            fh.write(log)
        t.ok(re.search(r"^%s login: ?" % NAME, log, re.M) is not None,
             "systemd's getty prints `%s login:` on the console" % NAME,
             "\n".join(log.splitlines()[-15:]))
        t.ok(pinged, "the guest answers the host's ping at %s (ifupdown, "
             "eth0)" % IP)
    finally:
        tools.stop()
        sh("ip", "link", "del", bridge)
        shutil.rmtree(work, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
