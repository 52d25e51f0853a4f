#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""net.py: the real-Linux tier of guest networking: two L2 guests (Debian's
kernel, a busybox initramfs with Debian's virtio_net) on one managed
network of xmd's (198.51.100.0/24, dnsmasq, no NAT), each with a
reservation (mac= and ip= in its vif). Each gets its reserved address from
dnsmasq (udhcpc, the DNS server of the lease in its resolv.conf), resolves
the other's domain name through dnsmasq (busybox nslookup: the bare name
and NAME.xm, the network's domain) and pings the address it resolved.
l2a's vif is on the user-space datapath (datapath=user), l2b's on the
kernel's (vhost-net, with /dev/vhost-net in L1: `modprobe vhost_net`), as
network-list --long says; l2a runs iperf3 against l2b both ways (3 s
each), so each datapath sends and receives, and the bytes iperf3 counted
in the guests are checked against what the host's taps carried. Destroy
leaves no vif.
Runs where Debian's kernel can run (scripts/with-kvm --linux). TAP."""
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import l2  # noqa: E402
from l1 import cpio  # noqa: E402

NET, BR, HOST = "l2net", "xml2net0", "198.51.100.1"
GUESTS = {"l2a": ("00:16:3e:00:0c:0a", "198.51.100.11"),
          "l2b": ("00:16:3e:00:0c:0b", "198.51.100.12")}
ROLE = {"l2a": ("client", ",datapath=user"), "l2b": ("server", "")}
MODULES = l2.NET_MODULES
INIT = l2.NET_INIT_HEAD + r"""mount -t tmpfs etc /etc
peer=$(sed -n 's/.*xmtest\.peer=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
echo "XMTEST mac=$(cat /sys/class/net/eth0/address)"
echo "XMTEST driver=$(basename $(readlink /sys/class/net/eth0/device/driver))"
ifconfig lo up
ifconfig eth0 up
udhcpc -i eth0 -n -q -t 20 -s /bin/dhcp-script
echo "XMTEST addr=$(ifconfig eth0 | grep -o 'inet addr:[0-9.]*' | cut -d: -f2)"
look() { nslookup "$1" 2>/dev/null | awk '/^Address/ && !/:53$/ {a=$NF} END {print a}'; }
a=
i=0
while [ $i -lt 90 ]; do
	a=$(look $peer)
	[ -n "$a" ] && ping -c 1 -W 1 $a >/dev/null 2>&1 && break
	sleep 1
	i=$((i+1))
done
echo "XMTEST resolved=$a"
echo "XMTEST fqdn=$(look $peer.xm)"
echo "XMTEST ping=$(ping -c 3 -W 3 $a | grep -o '[0-9]* packets received')"
# iperf3: l2b serves (a daemon) until l2a says it is done (nc on 5202,
# 150 s at most); l2a retries until l2b listens. The bytes its receiver
# counted.
got() { grep -A9 '"sum_received"' | grep -m1 '"bytes"' | tr -dc 0-9; }
case "$(sed -n 's/.*xmtest\.role=\([a-z]*\).*/\1/p' /proc/cmdline)" in
server)
	[ -x /bin/iperf3 ] && iperf3 -s -D
	timeout 150 nc -l -p 5202 >/dev/null 2>&1 ;;
client)
	for dir in up down; do
		r=
		i=0
		while [ -x /bin/iperf3 ] && [ -z "$r" ] && [ $i -lt 30 ]; do
			if [ $dir = up ]; then
				r=$(iperf3 -c $a -t 3 -J 2>/dev/null | got)
			else
				r=$(iperf3 -c $a -t 3 -J -R 2>/dev/null | got)
			fi
			[ -n "$r" ] || sleep 1
			i=$((i+1))
		done
		echo "XMTEST iperf_$dir=$r"
	done
	sleep 2
	i=0
	until echo done | nc -w 2 $a 5202 || [ $i -ge 10 ]; do
		sleep 1
		i=$((i+1))
	done ;;
esac
sleep 3
echo "XMTEST done"
poweroff -f
"""
DHCP = """#!/bin/sh
case "$1" in bound|renew)
	ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" up
	for d in $dns; do echo "nameserver $d"; done > /etc/resolv.conf
	echo "XMTEST lease=$ip dns=$dns";;
esac
"""


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=""):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%sok %d - %s" % ("" if cond else "not ", self.n, desc),
              flush=True)
        if not cond and diag:
            for line in str(diag).splitlines()[-15:]:
                print("#   " + line)
        return cond

    def skip(self, desc, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, why), flush=True)


def initrd(kernel, out):
    cp = cpio.Cpio()
    cp.add_file("bin/busybox", src="/bin/busybox", mode=0o755)
    for a in ("sh cat cut echo grep insmod ls mount sleep ifconfig ping "
              "awk sed poweroff basename readlink udhcpc nslookup timeout "
              "tr nc").split():
        cp.add_symlink("bin/" + a, "busybox")
    if shutil.which("iperf3"):
        l2.add_binary(cp, shutil.which("iperf3"), "bin/iperf3")
    cp.add_chardev("dev/console", 5, 1)
    cp.add_chardev("dev/null", 1, 3)
    for d in ("proc", "sys", "tmp", "etc"):
        cp.add_dir(d)
    for name, text, mode in (("init", INIT % {"mods": " ".join(MODULES)},
                              0o755), ("bin/dhcp-script", DHCP, 0o755)):
        src = out + "." + os.path.basename(name)
        with open(src, "w") as f:
            f.write(text)
        cp.add_file(name, src=src, mode=mode)
    l2.add_modules(cp, kernel, MODULES)
    l2.write_gzip(cp, out)


def vifs():
    out = subprocess.run(["ip", "-o", "link"], capture_output=True,
                         text=True).stdout
    return re.findall(r"^\d+: (vif[0-9.]+|xmtap\d+)", out, re.M)


def tap_bytes(tap, what):
    """The host's count of bytes on tap (rx: what the guest sent)."""
    try:
        with open("/sys/class/net/%s/statistics/%s_bytes" % (tap, what)) as f:
            return int(f.read())
    except (OSError, ValueError):
        return -1


def iperf_checks(t, k, tap, seen, vhost, text):
    """l2a's iperf3 runs against l2b: what its receivers counted, against
    the bytes l2a's tap carried on the host (seen: the largest counts
    sampled while l2a ran; headers make those more)."""
    peer = "l2b (%s)" % ("vhost-net" if vhost else "user-space")
    for key, what, desc in (
            ("iperf_up", "rx", "l2a (user-space) sends to %s" % peer),
            ("iperf_down", "tx", "%s sends to l2a (user-space)" % peer)):
        if not shutil.which("iperf3"):
            t.skip(desc + " with iperf3", "no iperf3 on this machine "
                   "(Debian's iperf3, scripts/install-deps)")
            continue
        got = int(k.get(key, "").strip() or "0")
        host = seen[what]
        t.ok(got >= 1 << 20 and host >= got,
             "%s with iperf3 for 3 s: the receiver counted %d bytes, %s's "
             "%s %d" % (desc, got, tap, what, host), str(k) + text[-1500:])


def main():
    top_builddir = os.environ.get("top_builddir", os.getcwd())
    outdir = os.path.join(top_builddir, "tests", "linux")
    os.environ["PATH"] += ":/usr/sbin:/sbin"
    work, paths = l2.tier_start(
        outdir, prefix="net.",
        missing=None if shutil.which("dnsmasq") else
        "dnsmasq is not installed (dnsmasq-base, scripts/install-deps)")
    if not os.path.exists("/dev/vhost-net"):
        subprocess.run(["modprobe", "vhost_net"], capture_output=True)
    vhost = os.path.exists("/dev/vhost-net")
    rd = os.path.join(work, "net-initrd.gz")
    initrd(paths["kernel"], rd)
    t = Tap()
    tools = l2.Tools(top_builddir)
    tools.start_xmd()
    os.chmod(tools.xmroot, 0o755)  # dnsmasq, no longer root, reads here
    nets = os.path.join(tools.xmroot, "etc", "xen", "networks")
    os.makedirs(nets, exist_ok=True)
    with open(os.path.join(nets, NET + ".conf"), "w") as f:
        f.write("bridge = %s\nsubnet = 198.51.100.0/24\nnat = off\n" % BR)
    env = tools.xm_env()
    texts = {}
    try:
        rcs = []
        for name, (mac, ip) in sorted(GUESTS.items()):
            peer = [g for g in GUESTS if g != name][0]
            cfg = os.path.join(tools.xmroot, "etc", "xen", name)
            with open(cfg, "w") as f:
                f.write('name = "%s"\nkernel = "%s"\nramdisk = "%s"\n'
                        'memory = 128\nextra = "console=ttyS0 quiet '
                        'xmtest.peer=%s xmtest.role=%s"\n'
                        'vif = ["bridge=%s,mac=%s,ip=%s%s"]\n'
                        'on_poweroff = "destroy"\non_crash = "destroy"\n'
                        % (name, paths["vmlinuz"], rd, peer, ROLE[name][0],
                           NET, mac, ip, ROLE[name][1]))
            c = subprocess.run([tools.xm, "create", name], env=env,
                               capture_output=True, text=True)
            rcs.append((c.returncode, c.stderr))
        t.ok(all(rc == 0 for rc, _ in rcs),
             "two domains with reservations on one managed network",
             str(rcs) + open(tools.xmd_log, errors="replace").read())
        lst = {n: subprocess.run([tools.xm, "network-list", "--long", n],
                                 env=env, capture_output=True,
                                 text=True).stdout for n in GUESTS}
        taps = {n: (re.findall(r"\(vifname (\S+)\)", x) or ["?"])[0]
                for n, x in lst.items()}
        if vhost:
            t.ok("(datapath user)" in lst["l2a"] and
                 "(datapath vhost-net)" in lst["l2b"],
                 "l2a's vif is on the user-space datapath, l2b's on "
                 "vhost-net (network-list --long)", str(lst))
        else:
            t.skip("l2a's vif is on the user-space datapath, l2b's on "
                   "vhost-net (network-list --long)",
                   "no /dev/vhost-net in this L1 (modprobe vhost_net)")
        seen = {"rx": -1, "tx": -1}  # l2a's tap, sampled: it goes with l2a
        t0 = time.time()
        while time.time() - t0 < 300:
            for what in seen:
                seen[what] = max(seen[what], tap_bytes(taps["l2a"], what))
            for name in GUESTS:
                con = os.path.join(tools.xmroot, "var", "log", "xmd",
                                   "console", name + ".log")
                try:
                    texts[name] = open(con, errors="replace").read()
                except OSError:
                    texts[name] = ""
            if all("XMTEST done" in x or "Kernel panic" in x
                   for x in texts.values()):
                break
            time.sleep(1)
        kv = {n: dict(re.findall(r"XMTEST (\w+)=(.*)", x))
              for n, x in texts.items()}
        for name, (mac, ip) in sorted(GUESTS.items()):
            k = kv.get(name, {})
            t.ok(k.get("driver", "").strip() == "virtio_net" and
                 k.get("mac", "").strip() == mac and
                 k.get("addr", "").strip() == ip,
                 "%s: virtio_net, MAC %s, its reserved address %s from "
                 "dnsmasq" % (name, mac, ip),
                 str(k) + "\n" + texts.get(name, "")[-1500:])
        for name in sorted(GUESTS):
            peer = [g for g in GUESTS if g != name][0]
            k = kv.get(name, {})
            want = GUESTS[peer][1]
            t.ok(k.get("resolved", "").strip() == want and
                 k.get("fqdn", "").strip() == want,
                 "%s resolves %s and %s.xm to %s through dnsmasq" %
                 (name, peer, peer, want), str(k))
            t.ok("3 packets received" in k.get("ping", ""),
                 "%s pings %s at the address it resolved: 3 of 3" %
                 (name, peer), str(k))
        iperf_checks(t, kv.get("l2a", {}), taps["l2a"], seen, vhost,
                     texts.get("l2a", ""))
        for name in GUESTS:
            subprocess.run([tools.xm, "destroy", name], env=env,
                           capture_output=True)
        end = time.time() + 10
        while vifs() and time.time() < end:
            time.sleep(0.2)
        t.ok(vifs() == [], "destroy leaves no vif", str(vifs()))
    finally:
        for name, text in texts.items():
            with open(os.path.join(outdir, "net-%s.console" % name),
                      "w") as f:
                f.write(text)
        subprocess.run([tools.xm, "network-stop", NET], env=env,
                       capture_output=True)
        tools.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("1..%d" % t.n)
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
