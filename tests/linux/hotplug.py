# SPDX-License-Identifier: GPL-2.0-or-later
"""hotplug.py: the real-Linux tier, hot-plug into a running Debian kernel
(ACPI PCI hot-plug: Linux's acpiphp, built into Debian's kernel). The L2
kernel and initramfs boot through xmd and `xm create` with one disk
(/dev/vda) and one vif (eth0) on a bridge of its own; l2-init's hotplug action loads virtio_blk and
virtio_net and then follows what arrives and goes in /sys. `xm
block-attach DOM file:IMG xvdb w`: the guest sees /dev/vdb appear, its
size and the MD5 of its first MiB, computed by the guest, equal the
host's; `xm block-detach`: it goes, and the record follows. `xm
network-attach`: the guest sees eth1 appear with the MAC of the domain's
record; `xm network-detach`: eth1 goes. Then the guest powers off and
nothing of the domain is left. TAP; runs through scripts/with-kvm --linux
(make check-linux)."""

import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import l2  # noqa: E402
from boot import Tap  # noqa: E402

BRIDGE = "xmhpbr0"
DISK_MIB = 4
NET_CHECKS = ("xm network-attach: the guest sees eth1 appear",
              "eth1's MAC is the one of the domain's record",
              "xm network-detach: eth1 goes from the guest",
              "xm network-list: one vif again")


def sh(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True,
                          timeout=120, **kw)


def skip(t, desc, why):
    t.n += 1
    print("ok %d - %s # SKIP %s" % (t.n, desc, why), flush=True)


def xm(tools, *args):
    return subprocess.run([tools.xm] + list(args), env=tools.xm_env(),
                          capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def vdevs(tools, name):
    r = xm(tools, "block-list", name)
    return [line.split()[1] for line in r.stdout.splitlines()[1:]
            if len(line.split()) > 1]


def macs(tools, name):
    return re.findall(r"00:16:3e:[0-9a-f:]{8}",
                      xm(tools, "network-list", name).stdout)


def test_disk(t, tools, name, con, img):
    with open(img, "rb") as f:
        want_md5 = hashlib.md5(f.read(1 << 20)).hexdigest()
    r = xm(tools, "block-attach", name, "file:" + img, "xvdb", "w")
    t.ok(r.returncode == 0, "xm block-attach %s file:IMG xvdb w" % name,
         r.stdout + r.stderr)
    m = con.expect(rb"XMTEST vdb_sectors=(\d+)", 60)
    t.ok(m is not None and int(m.group(1)) == DISK_MIB * 2048,
         "the guest sees /dev/vdb appear with the image's size (%d "
         "sectors)" % (DISK_MIB * 2048), con.tail())
    m = con.expect(rb"XMTEST vdb_md5=([0-9a-f]{32})", 30)
    t.ok(m is not None and m.group(1).decode() == want_md5,
         "the MD5 of its first MiB in the guest equals the host's",
         "host %s\n%s" % (want_md5, con.tail()))
    t.ok("xvdb" in vdevs(tools, name), "xm block-list shows xvdb",
         xm(tools, "block-list", name).stdout)
    con.expect(rb"XMTEST vdb_seen=1", 30)
    r = xm(tools, "block-detach", name, "xvdb")
    t.ok(r.returncode == 0 and
         con.expect(rb"XMTEST vdb_gone=1", 60) is not None,
         "xm block-detach: /dev/vdb goes from the guest",
         r.stdout + r.stderr + con.tail())
    t.ok("xvdb" not in vdevs(tools, name),
         "xm block-list: xvdb is gone from the record",
         xm(tools, "block-list", name).stdout)


def test_nic(t, tools, name, con):
    r = xm(tools, "network-attach", name, "bridge=" + BRIDGE)
    m = con.expect(rb"XMTEST eth1_mac=([0-9a-f:]{17})", 60)
    t.ok(r.returncode == 0 and m is not None, NET_CHECKS[0],
         r.stdout + r.stderr + con.tail())
    rec = macs(tools, name)
    mac = m.group(1).decode() if m else None
    t.ok(len(rec) == 2 and rec[1] == mac, NET_CHECKS[1],
         "guest %s, record %s" % (mac, rec))
    con.expect(rb"XMTEST eth1_seen=1", 30)
    r = xm(tools, "network-detach", name, "1")
    t.ok(r.returncode == 0 and
         con.expect(rb"XMTEST eth1_gone=1", 60) is not None, NET_CHECKS[2],
         r.stdout + r.stderr + con.tail())
    t.ok(len(macs(tools, name)) == 1, NET_CHECKS[3],
         xm(tools, "network-list", name).stdout)


def main():
    top = os.environ.get("top_builddir", ".")
    outdir = os.path.join(top, "tests", "linux")
    tools = l2.Tools(top)
    work, paths = l2.tier_start(outdir, (tools.xmhv, tools.xmd, tools.xm))
    t = Tap()
    img = os.path.join(work, "extra.img")
    with open(img, "wb") as f:
        f.write(random.randbytes(DISK_MIB << 20))
    first = os.path.join(work, "first.img")  # /dev/vda from the start
    with open(first, "wb") as f:
        f.truncate(1 << 20)
    bridge = sh("ip", "link", "add", BRIDGE, "type", "bridge")
    net = bridge.returncode == 0 and \
        sh("ip", "link", "set", BRIDGE, "up").returncode == 0
    name = None
    try:
        name, path, c = l2.xm_start(
            1, 1, 256, "console=ttyS0 xmtest.action=hotplug", paths, tools,
            disks=["file:%s,xvda,r" % first],
            vifs=["bridge=" + BRIDGE] if net else [])
        con = l2.Console(path)
        m = con.expect(rb"XMTEST hp_slots=(\d+)", 120)
        ready = con.expect(rb"XMTEST ready", 30)
        t.ok(c.returncode == 0 and m is not None and int(m.group(1)) > 0
             and ready is not None,
             "xm create: Debian's kernel is up with ACPI hot-plug slots "
             "(acpiphp)", c.stdout + c.stderr + con.tail())
        test_disk(t, tools, name, con, img)
        if net:
            test_nic(t, tools, name, con)
        else:
            for d in NET_CHECKS:
                skip(t, d, "no bridge here (ip link add type bridge: %s)"
                     % bridge.stderr.strip())
            xm(tools, "destroy", name)
        gone = con.expect(rb"XMTEST action=poweroff", 60) is not None
        for _ in range(50):
            if xm(tools, "list", name).returncode != 0:
                break
            time.sleep(0.2)
        t.ok((gone or not net) and
             xm(tools, "list", name).returncode != 0,
             "the guest powers off and the domain is gone", con.tail())
        name = None
    finally:
        if name:
            xm(tools, "destroy", name)
        tools.stop()
        if net:
            sh("ip", "link", "del", BRIDGE)
    shutil.rmtree(work, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
