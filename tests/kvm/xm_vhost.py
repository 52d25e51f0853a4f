#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xm_vhost.py: the kernel's virtio-net datapath (vhost-net) through xmd
and xm with the test guest (kvm tier), xmd in a private network namespace
with a bridge xenbr0 holding 192.0.2.1/24. Without /dev/vhost-net (the
vhost_net module not loaded, or not loadable) a vif falls back to the
user-space datapath, says why in the log and in network-list --long, and
the guest answers as before. With it (`modprobe vhost_net`: the nested
machine; this host's kernel has none, and those checks SKIP saying so)
the monitor holds one /dev/vhost-net per vif and xmd none; the guest
finds its MAC, the host pings it through the kernel's datapath, the
guest's frames reach the bridge, a pause and unpause resume the rings
from where they were, a hot-plugged NIC gets vhost-net too and
network-detach -f removes it at once (its tap and vhost fd gone);
datapath=user and rate= keep the user-space datapath; destroy leaves no
vif and no monitor. TAP."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import ok, skip  # noqa: E402
import xmd_net as N  # noqa: E402
import xm_net as T  # noqa: E402
from xm_blk import Guest  # noqa: E402

VHOST = "/dev/vhost-net"


def vhost_fds(pid):
    """How many fds of process pid are /dev/vhost-net (-1: no process)."""
    try:
        d = "/proc/%d/fd" % pid
        return sum(1 for f in os.listdir(d)
                   if os.readlink(os.path.join(d, f)) == VHOST)
    except OSError:
        return -1


def monitor(e):
    pids = list(H.monitor_args(e.root))
    return pids[0] if len(pids) == 1 else None


def long_list(e, name):
    return e.xm("network-list", "--long", name).stdout


def test_fallback(e, absent):
    """No /dev/vhost-net: the user-space datapath, the reason logged."""
    desc = ["without /dev/vhost-net: xm create, the guest answers 3 of 3 "
            "pings (user-space datapath)",
            "xmd logs why the vif is on the user-space datapath",
            "network-list --long says (datapath user)",
            "destroy leaves no vif"]
    if not absent:
        for d in desc:
            skip(d, "/dev/vhost-net is present and vhost_net cannot be "
                 "unloaded here")
        return
    g, m = T.boot(e, "vf1", ["xm create of a vif without /dev/vhost-net"])
    (sent, got), out = T.ping(3)
    ok(m is not None and sent == 3 and got == 3, desc[0], out + g.tail())
    log = e.xmlog() + e.log_tail(200)
    ok("user-space datapath (/dev/vhost-net:" in log, desc[1],
       e.log_tail())
    lst = long_list(e, "vf1")
    ok("(datapath user)" in lst, desc[2], lst)
    g.close()
    r = e.xm("destroy", "vf1")
    ok(r.returncode == 0 and N.vifs() == [], desc[3], str(N.vifs()))


def test_vhost(e, why_not):
    """The kernel's datapath end to end, with hot-plug and forced detach
    (where there is no vhost-net the same on the user-space datapath, the
    checks of vhost itself SKIP)."""
    vh = why_not is None
    path = "vhost-net" if vh else "the user-space datapath"
    nfd = 1 if vh else 0

    def only_vhost(cond, desc, diag=None):
        if vh:
            ok(cond, desc, diag)
        else:
            skip(desc, why_not)

    g, m = T.boot(e, "vh1", ["xm create of a vif (%s)" % path])
    mac = m.group(2).decode() if m else ""
    only_vhost(m is not None and mac and e.macs("vh1") == [mac] and
               "vhost-net datapath" in e.log_tail(200),
               "the monitor logs the vhost-net datapath for eth0 (guest MAC "
               "%s, the record's)" % mac, e.log_tail() + g.tail())
    lst = long_list(e, "vh1")
    only_vhost("(datapath vhost-net)" in lst,
               "network-list --long says (datapath vhost-net)", lst)
    pid = monitor(e)
    ok(pid is not None and vhost_fds(pid) == nfd and
       vhost_fds(e.xmd.pid) == 0,
       "the monitor holds %d /dev/vhost-net, xmd none" % nfd,
       "monitor %s: %s, xmd %s" % (pid, pid and vhost_fds(pid),
                                   vhost_fds(e.xmd.pid)))
    (sent, got), out = T.ping(5)
    ok(sent == 5 and got == 5,
       "the host pings the guest through %s: 5 of 5" % path,
       out + e.log_tail())
    (sent, got), out = T.ping(3, 1472)
    ok(sent == 3 and got == 3, "1472-byte payloads: 3 of 3", out)
    m2 = g.run("net", T.NIC_RX, 20)
    ok(m2 is not None and int(m2.group(9)) == 8 and
       int(m2.group(11)) == 0,
       "the guest counted 8 echo requests, every frame in one buffer",
       g.tail())
    sent, (got, rate), out = T.send_rate(g, mac, 150, 1514, 50)
    ok(sent == 150 and got == 150,
       "the guest sends 150 frames of 1514 bytes through %s, the bridge "
       "sees all (%d bytes a second)" % (path, rate), out + g.tail())
    r1, r2 = e.xm("pause", "vh1"), e.xm("unpause", "vh1")
    (sent, got), out = T.ping(3)
    ok(r1.returncode == 0 and r2.returncode == 0 and got == 3,
       "after xm pause and unpause the rings resume: 3 of 3",
       r1.stderr + r2.stderr + out + e.log_tail())
    did = e.domid("vh1")
    r = e.xm("network-attach", "vh1", "bridge=xenbr0")
    m = g.expect(rb"net: added eth1 00:(..)\.0 mac ([0-9a-f:]{17}) ", 60)
    mac1 = m.group(2).decode() if m else None
    macs = e.macs("vh1")
    ok(r.returncode == 0 and mac1 and len(macs) == 2 and macs[1] == mac1,
       "xm network-attach: eth1 arrives with the record's MAC %s" % mac1,
       r.stderr + g.tail() + str(macs))
    lst = long_list(e, "vh1")
    only_vhost(vhost_fds(pid) == 2 and
               lst.count("(datapath vhost-net)") == 2,
               "the hot-plugged NIC is on vhost-net too (2 vhost fds, "
               "network-list --long says so)", lst + e.log_tail())
    sent, (got, rate), out = T.send_rate(g, mac1 or "", 20, 200, 0, "eth1")
    ok(sent == 20 and got == 20, "20 frames from eth1 reach the bridge",
       out + g.tail())
    tap = "vif%s.1" % did
    t0 = time.time()
    r = e.xm("network-detach", "vh1", "1", "-f")
    took = time.time() - t0
    ok(r.returncode == 0 and tap not in N.vifs() and
       vhost_fds(pid) == nfd and len(e.macs("vh1")) == 1 and took < 10,
       "xm network-detach -f: the NIC, its tap (and vhost fd) gone at "
       "once, without the guest (%.1f s)" % took,
       r.stderr + str(N.vifs()) + e.log_tail())
    g.expect(rb"net: removed eth1", 30)
    (sent, got), out = T.ping(3)
    ok(sent == 3 and got == 3, "eth0 still answers: 3 of 3", out)
    g.close()
    r = e.xm("destroy", "vh1")
    end = time.time() + 10
    while H.monitor_args(e.root) and time.time() < end:
        time.sleep(0.2)
    ok(r.returncode == 0 and N.vifs() == [] and not H.monitor_args(e.root),
       "destroy leaves no vif and no monitor", str(N.vifs()))


def test_user(e):
    """datapath=user and rate= keep the user-space datapath."""
    r = e.xm("create", e.config(
        "vh2", ["bridge=xenbr0,ip=%s,datapath=user" % T.IP,
                "bridge=xenbr0,rate=1Mb/s"]))
    g = Guest(e, "vh2")
    m = g.expect(T.NIC_RX, 60)
    g.expect(rb"xmguest# ", 30)
    (sent, got), out = T.ping(3)
    ok(r.returncode == 0 and m is not None and got == 3,
       "datapath=user: xm create, the guest answers 3 of 3", r.stderr + out)
    log = e.xmlog() + e.log_tail(200)
    ok("vif[0]: user-space datapath (datapath=user)" in log and
       "vif[1]: user-space datapath (rate= is a token bucket" in log,
       "xmd logs datapath=user and rate= as the reasons", e.log_tail())
    pid = monitor(e)
    lst = long_list(e, "vh2")
    ok(pid is not None and vhost_fds(pid) == 0 and
       lst.count("(datapath user)") == 2,
       "the monitor holds no /dev/vhost-net; network-list --long says "
       "user twice", lst)
    e.kill9_xmd()
    up = e.start_xmd()
    lst = long_list(e, "vh2")
    ok(up and lst.count("(datapath user)") == 2,
       "after kill -9 of xmd and a new xmd, network-list --long still says "
       "user twice (from the record)", lst + e.log_tail())
    g.close()
    r = e.xm("destroy", "vh2")
    ok(r.returncode == 0 and N.vifs() == [], "destroy leaves no vif",
       str(N.vifs()))
    r = e.xm("create", e.config("vh3", ["bridge=xenbr0,datapath=kernel"]))
    ok(r.returncode != 0 and "datapath 'kernel' is not vhost or user" in
       r.stderr, "datapath=kernel is refused, naming the values", r.stderr)


def main():
    H.require()
    if os.geteuid() != 0 or N.sh("ip", "netns", "add", N.NS).returncode:
        H.skip_all("needs network namespaces (ip netns add)")
    # Without the module first (the fallback), then with it.
    absent = not os.path.exists(VHOST)
    if not absent and N.sh("rmmod", "vhost_net").returncode == 0:
        absent = not os.path.exists(VHOST)
    N.nsx("ip", "link", "set", "lo", "up")
    N.nsx("ip", "link", "add", "xenbr0", "type", "bridge")
    N.nsx("ip", "addr", "add", "192.0.2.1/24", "dev", "xenbr0")
    N.nsx("ip", "link", "set", "xenbr0", "up")
    e = N.NetXmd("xm-vhost-")
    try:
        ok(e.start_xmd(), "xmd starts in a private network namespace",
           e.log_tail())
        test_fallback(e, absent)
        why_not = None
        if not os.path.exists(VHOST):
            r = N.sh("modprobe", "vhost_net")
            if not os.path.exists(VHOST):
                why_not = ("no /dev/vhost-net here (modprobe vhost_net: %s)"
                           % (r.stderr.strip() or "no device"))
        test_vhost(e, why_not)
        test_user(e)
    finally:
        e.cleanup()
        N.sh("ip", "netns", "del", N.NS)
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
