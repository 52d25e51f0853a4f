#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xmd_net.py: a domain's vifs on the host, with xmd in a private network
namespace (a bridge xenbr0 of MTU 1400, addresses in the documentation
ranges only) booting the test guest: the tap vifDOMID.0 on the bridge
with host MAC fe:ff:ff:ff:ff:ff and the bridge's MTU, network-list, the
same 00:16:3e MAC across two creates, destroy / kill -9 of xmhv / a failed
create leave no vif, kill -9 of xmd re-adopts the tap, script= runs a user
script with Xen's arguments, environment and xenstore-read/-write, a
missing bridge is refused with how to make one, network-attach and
network-detach on a re-adopted domain, and a managed network (subnet picked past a used one,
dnsmasq with the reservation, its nftables table, forwarding) is stopped
with the host restored exactly. TAP output. (Traffic: xm_net.py.)"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import KERNEL, XM, XMD, XMHV, ok  # noqa: E402

NS = "xmnet%d" % os.getpid()
UUID = "6f1c2a3b-4d5e-4f60-8a1b-2c3d4e5f6a7b"


def sh(*a, **kw):
    return subprocess.run(list(a), capture_output=True, text=True, **kw)


def nsx(*a, **kw):
    return sh("ip", "netns", "exec", NS, *a, **kw)


def links():
    return sorted(re.sub(r"^\d+: ", "", l.split("\\")[0])
                  for l in nsx("ip", "-o", "link").stdout.splitlines())


def vifs():
    return [l.split(":")[0] for l in links()
            if l.startswith(("vif", "xmtap"))]


def link(name):
    return nsx("ip", "-o", "link", "show", "dev", name).stdout


def host_state():
    # names, not flags: xenbr0's carrier follows ports of earlier tests
    return ([l.split(":")[0] for l in links()],
            sorted(nsx("ip", "-o", "-4", "addr").stdout.splitlines()),
            nsx("nft", "list", "ruleset").stdout,
            nsx("sysctl", "-n", "net.ipv4.ip_forward").stdout.strip())


class NetXmd(H.XmdEnv):
    """xmd inside the namespace; xm outside (a unix socket)."""

    def start_xmd(self):
        os.chmod(self.root, 0o755)  # dnsmasq, no longer root, reads here
        log = open(os.path.join(self.root, "xmd.out"), "a")
        self.xmd = subprocess.Popen(
            ["ip", "netns", "exec", NS, XMD, "--root", self.root, "-d"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        end = time.time() + 20
        while time.time() < end:
            if self.xm("list").returncode == 0:
                return True
            time.sleep(0.1)
        return False

    def kill9_xmd(self):
        self.xmd.kill()
        self.xmd.wait()

    def config(self, name, vif, uuid=None):
        path = os.path.join(self.root, name)
        with open(path, "w") as f:
            f.write('name = "%s"\nkernel = "%s"\nmemory = 32\n'
                    'extra = "console=ttyS0"\nvif = [%s]\n%s'
                    % (name, KERNEL, ", ".join("'%s'" % v for v in vif),
                       'uuid = "%s"\n' % uuid if uuid else ""))
        return path

    def domid(self, name):
        r = self.xm("domid", name)
        return r.stdout.strip() if r.returncode == 0 else None

    def macs(self, name):
        return re.findall(r"00:16:3e:[0-9a-f:]{8}",
                          self.xm("network-list", name).stdout)

    def xmlog(self):
        try:
            return open(os.path.join(self.root, "var", "log", "xmd",
                                     "xmd.log")).read()
        except OSError:
            return ""


SCRIPT = r"""#!/bin/sh
# a Xen-style vif script: what it was given, then vif-bridge's work
out=%(out)s
echo "$1 $2 vif=$vif XENBUS_PATH=$XENBUS_PATH" >> $out
bridge=$(xenstore-read "$XENBUS_PATH/bridge")
mac=$(xenstore-read "$XENBUS_PATH/mac")
echo "bridge=$bridge mac=$mac" >> $out
xenstore-read "$XENBUS_PATH/vifname" >/dev/null 2>&1 && echo has-vifname >> $out
if [ "$1" = online ]; then
    ip link set dev "$vif" master "$bridge" && ip link set dev "$vif" up
    xenstore-write "$XENBUS_PATH/hotplug-status" connected
fi
"""

FAILING = r"""#!/bin/sh
xenstore-write "$XENBUS_PATH/hotplug-error" "no uplink for $vif" \
    "$XENBUS_PATH/hotplug-status" error
exit 1
"""


def test_bridge(e):
    r = e.xm("create", e.config("n1", ["bridge=xenbr0"], UUID))
    ok(r.returncode == 0, "create with a vif on xenbr0", r.stdout + r.stderr
       + e.log_tail())
    did = e.domid("n1")
    tap = "vif%s.0" % did
    info = link(tap)
    ok("master xenbr0" in info, "%s is a port of xenbr0" % tap, links())
    ok("link/ether fe:ff:ff:ff:ff:ff" in info,
       "its host side has MAC fe:ff:ff:ff:ff:ff", info)
    ok(" mtu 1400 " in info and ",UP" in info,
       "it has the bridge's MTU (1400) and is up", info)
    nl = e.xm("network-list", "n1").stdout
    mac1 = e.macs("n1")
    ok(tap in nl and len(mac1) == 1 and "xenbr0" in nl,
       "network-list: %s, a 00:16:3e MAC, xenbr0" % tap, nl)
    ok(not [l for l in links() if l.startswith("xmtap")],
       "no tap keeps its temporary name", links())
    r = e.xm("destroy", "n1")
    ok(r.returncode == 0 and vifs() == [], "destroy leaves no vif", vifs())
    r = e.xm("create", e.config("n1", ["bridge=xenbr0"], UUID))
    did2 = e.domid("n1")
    ok(r.returncode == 0 and did2 != did and e.macs("n1") == mac1,
       "created again (id %s): the same MAC %s" % (did2, mac1),
       e.xm("network-list", "n1").stdout)
    tap = "vif%s.0" % did2
    e.kill9_xmd()
    ok(tap in "".join(vifs()), "kill -9 of xmd: %s stays" % tap, vifs())
    ok(e.start_xmd(), "xmd restarted", e.log_tail())
    ok("vif %s re-adopted on bridge xenbr0" % tap in e.xmlog(),
       "the restarted xmd re-adopts %s" % tap, e.xmlog()[-600:])
    r = e.xm("network-attach", "n1", "bridge=xenbr0")
    tap1 = "vif%s.1" % did2
    ok(r.returncode == 0 and sorted(vifs()) == sorted([tap, tap1]) and
       "master xenbr0" in link(tap1) and len(e.macs("n1")) == 2,
       "network-attach (re-adopted domain): %s on xenbr0, in the record"
       % tap1, r.stderr + str(vifs()))
    r = e.xm("network-detach", "n1", "1")
    ok(r.returncode == 0 and vifs() == [tap] and len(e.macs("n1")) == 1,
       "network-detach: the guest ejects it, %s goes" % tap1,
       r.stderr + str(vifs()))
    pid = None
    for p in os.listdir("/proc"):
        try:
            cmd = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")
        except OSError:
            continue
        if cmd and os.path.basename(cmd[0]) == b"xmhv" and \
                any(a.startswith(e.root.encode()) for a in cmd):
            pid = int(p)
    if pid:
        os.kill(pid, signal.SIGKILL)
    deadline = time.time() + 30
    while time.time() < deadline and (tap in vifs() or not vifs()):
        time.sleep(0.2)
    ok(pid and tap not in vifs(), "kill -9 of xmhv: %s is gone" % tap,
       vifs())
    did3 = e.domid("n1")
    ok(did3 and vifs() == ["vif%s.0" % did3],
       "on_crash=restart: the new domain (id %s) has its own tap" % did3,
       vifs())
    e.xm("destroy", "n1")


def test_script(e):
    out = os.path.join(e.root, "script.out")
    path = os.path.join(e.root, "vif-mine")
    with open(path, "w") as f:
        f.write(SCRIPT % {"out": out})
    os.chmod(path, 0o755)
    r = e.xm("create", e.config("n2", ["bridge=xenbr0,script=%s" % path]))
    did = e.domid("n2")
    tap = "vif%s.0" % did
    text = open(out).read() if os.path.exists(out) else ""
    ok(r.returncode == 0 and
       ("online type_if=vif vif=%s XENBUS_PATH=backend/vif/%s/0"
        % (tap, did)) in text,
       "script= runs with online type_if=vif, $vif and $XENBUS_PATH",
       r.stderr + text + e.log_tail())
    mac = e.macs("n2")
    ok(mac and "bridge=xenbr0 mac=%s" % mac[0] in text,
       "xenstore-read answers bridge and mac from the record", text)
    ok("has-vifname" not in text, "no vifname in the store (no rename)")
    ok("master xenbr0" in link(tap), "the script put %s on the bridge" % tap,
       link(tap))
    e.xm("destroy", "n2")
    deadline = time.time() + 10
    while time.time() < deadline and "offline" not in open(out).read():
        time.sleep(0.1)
    ok("offline type_if=vif vif=%s" % tap in open(out).read() and
       vifs() == [], "destroy: the script gets offline, no vif left",
       open(out).read() + str(vifs()))
    bad = os.path.join(e.root, "vif-fails")
    with open(bad, "w") as f:
        f.write(FAILING)
    os.chmod(bad, 0o755)
    r = e.xm("create", e.config("n3", ["script=%s" % bad]))
    ok(r.returncode != 0 and "no uplink for vif" in r.stderr,
       "a script's hotplug-error fails the create, with its message",
       r.stderr)
    ok(vifs() == [] and e.domid("n3") is None,
       "and leaves no vif and no domain", vifs())
    r = e.xm("create", e.config("n4", ["bridge=nosuchbr"]))
    ok(r.returncode != 0 and "nosuchbr does not exist" in r.stderr and
       "ip link add nosuchbr type bridge" in r.stderr and
       "bridge=default" in r.stderr and vifs() == [],
       "a missing bridge: refused, saying how to make it or use the "
       "managed network", r.stderr)


def test_managed(e):
    nets = os.path.join(e.root, "etc", "xen", "networks")
    os.makedirs(nets, exist_ok=True)
    with open(os.path.join(nets, "default.conf"), "w") as f:
        f.write("# test network\nbridge = xmbr0\n"
                "subnet = auto 203.0.113.0/24 198.51.100.0/24\n"
                "domain = lab\n")
    # 203.0.113.0/24 is used on the "host": the pick must skip it
    nsx("ip", "link", "add", "used0", "type", "bridge")
    nsx("ip", "addr", "add", "203.0.113.9/24", "dev", "used0")
    nsx("sysctl", "-qw", "net.ipv4.ip_forward=0")
    before = host_state()
    r = e.xm("create", e.config(
        "web1", ["bridge=default,mac=00:16:3e:00:00:42,ip=198.51.100.42"]))
    ok(r.returncode == 0, "create on bridge=default starts the network",
       r.stdout + r.stderr + e.log_tail())
    addr = nsx("ip", "-o", "-4", "addr", "show", "dev", "xmbr0").stdout
    ok("198.51.100.1/24" in addr,
       "xmbr0 has 198.51.100.1/24 (203.0.113.0/24 is in use)", addr)
    ok("master xmbr0" in link("vif%s.0" % e.domid("web1")),
       "the vif is a port of xmbr0", links())
    rules = nsx("nft", "list", "table", "ip", "xmtools_default").stdout
    ok("masquerade" in rules and "198.51.100.0/24" in rules,
       "its own nftables table masquerades the subnet", rules)
    ok(nsx("sysctl", "-n", "net.ipv4.ip_forward").stdout.strip() == "1",
       "forwarding is on")
    show = e.xm("network-show").stdout
    ok(re.search(r"default\s+xmbr0\s+198\.51\.100\.0/24\s+running\s+yes\s+web1",
                 show), "network-show: running, used by web1", show)
    hosts = os.path.join(e.root, "run", "xmd", "net", "default", "hosts")
    text = open(hosts).read() if os.path.exists(hosts) else ""
    ok("00:16:3e:00:00:42,198.51.100.42,web1" in text,
       "dnsmasq's reservation from mac= and ip=", text)
    pid = int(open(os.path.join(e.root, "run", "xmd", "net", "default",
                                "state")).read().split("dnsmasq=")[1].split()[0])
    ok(os.path.exists("/proc/%d" % pid) and
       b"dnsmasq" in open("/proc/%d/cmdline" % pid, "rb").read(),
       "dnsmasq runs (pid %d)" % pid, e.log_tail())
    r = e.xm("network-stop", "default")
    ok(r.returncode != 0 and "used by web1" in r.stderr,
       "network-stop refuses while web1 uses it", r.stderr)
    e.xm("destroy", "web1")
    r = e.xm("network-stop", "default")
    ok(r.returncode == 0, "network-stop after the domain is gone", r.stderr)
    after = host_state()
    ok(after == before, "the host is as it was: links, addresses, "
       "nftables ruleset, forwarding", "%r\n%r" % (before, after))
    ok(not os.path.exists("/proc/%d" % pid) or
       b"dnsmasq" not in open("/proc/%d/cmdline" % pid, "rb").read(),
       "dnsmasq is gone")


def main():
    H.require()
    if os.geteuid() != 0 or sh("ip", "netns", "add", NS).returncode != 0:
        H.skip_all("needs network namespaces (ip netns add)")
    for prog in ("nft", "dnsmasq"):
        if sh("sh", "-c", "command -v " + prog).returncode != 0:
            sh("ip", "netns", "del", NS)
            H.skip_all("%s is not installed (scripts/install-deps)" % prog)
    nsx("ip", "link", "set", "lo", "up")
    nsx("ip", "link", "add", "xenbr0", "type", "bridge")
    nsx("ip", "link", "set", "xenbr0", "mtu", "1400", "up")
    e = NetXmd("xmd-net-")
    try:
        ok(e.start_xmd(), "xmd starts in a private network namespace",
           e.log_tail())
        test_bridge(e)
        test_script(e)
        test_managed(e)
    finally:
        e.cleanup()
        sh("ip", "netns", "del", NS)
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
