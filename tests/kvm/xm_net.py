#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xm_net.py: virtio-net through xmd and xm with the test guest (kvm tier),
xmd in a private network namespace with a bridge xenbr0 holding
192.0.2.1/24: the guest finds its NIC (modern virtio-net, MSI-X,
MRG_RXBUF, link up) with the MAC of the domain's record and the address of
the vif's ip= (through the kernel's ip= argument); the host pings it
through bridge and tap (ARP and ICMP echo answered by the guest, counted
by it and by the host alike, a 1472-byte payload too); the host's
neighbour entry is the guest's MAC; a second create keeps the stable MAC
and answers again; destroy leaves no vif; rate=160Kb/s holds the guest's
transmit queue to about 20000 bytes a second (frames the guest sends as
fast as it can, measured on the bridge past the token bucket's burst,
against the same unlimited); xm network-attach and network-detach on
the running guest (eth1 arrives with the record's MAC, carries frames,
is ejected, its tap goes). TAP."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import ok, skip  # noqa: E402
import xmd_net as N  # noqa: E402
from xm_blk import Guest  # noqa: E402

UUID = "0b7e4c1d-2a3f-4b5c-9d6e-7f8091a2b3c4"
IP = "192.0.2.10"
unlimited = [0]  # test_ping's rate, for test_rate
NIC_RX = (rb"net: eth0 00:(..)\.0 mac ([0-9a-f:]{17}) ip (\S+) link (\d) "
          rb"msix (\d) mrg (\d) rx (\d+) arp (\d+) icmp (\d+) tx (\d+) "
          rb"bad (\d+)")


# ICMP echo from inside the namespace (no ping(8) needed): count requests
# of size payload bytes, each reply's payload compared with what was sent.
PING = r"""
import os, socket, struct, sys, time
ip, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(0.5)
def csum(b):
    b += b"\0" * (len(b) & 1)
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t & 0xffff) + (t >> 16)
    return ~(t + (t >> 16)) & 0xffff
ident, got = os.getpid() & 0xffff, 0
for seq in range(count):
    data = os.urandom(size)
    pkt = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    pkt = pkt[:2] + struct.pack("!H", csum(pkt)) + pkt[4:]
    s.sendto(pkt, (ip, 0))
    end = time.time() + 3
    while time.time() < end:
        try:
            r = s.recv(65535)
        except socket.timeout:
            continue
        h = (r[0] & 15) * 4
        t, _, _, i, q = struct.unpack("!BBHHH", r[h:h + 8])
        if t == 0 and i == ident and q == seq and r[h + 8:] == data and \
                csum(r[h:]) == 0:
            got += 1
            break
print("%d packets transmitted, %d received" % (count, got))
"""


# The guest's `net send` frames (ethertype 0x88b5 from mac) as the bridge
# sees them: how many, and the bytes a second from the skip-th to the last
# (past a rate limit's burst).
CAPTURE = r"""
import socket, sys, time
br, mac, count, skip = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
s.bind((br, 0))
s.settimeout(0.2)
src = bytes.fromhex(mac.replace(":", ""))
print("ready", flush=True)
got, t_skip, t_last, nbytes, end = 0, 0.0, 0.0, 0, time.time() + 60
while got < count and time.time() < end:
    try:
        f = s.recv(65535)
    except socket.timeout:
        continue
    if f[6:12] != src:
        continue
    got += 1
    if got == skip:
        t_skip = time.time()
    elif got > skip:
        nbytes += len(f)
        t_last = time.time()
rate = nbytes / (t_last - t_skip) if t_last > t_skip else 0
print("frames %d rate %d" % (got, rate), flush=True)
"""


def send_rate(g, mac, count, size, skip, nic="eth0"):
    """The guest sends count frames of size bytes from nic; (frames the
    host saw, their bytes a second past the skip-th), and the output."""
    cap = subprocess.Popen(["ip", "netns", "exec", N.NS, sys.executable,
                            "-c", CAPTURE, "xenbr0", mac, str(count),
                            str(skip)], stdout=subprocess.PIPE, text=True)
    cap.stdout.readline()  # bound: ready
    m = g.run("net send %d %d %s" % (count, size, nic),
              rb"net send eth\d: (\d+) frames", 90)
    try:
        out, _ = cap.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        cap.kill()
        out, _ = cap.communicate()
    r = re.search(r"frames (\d+) rate (\d+)", out)
    sent = int(m.group(1)) if m else 0
    return sent, (int(r.group(1)), int(r.group(2))) if r else (0, 0), out


def ping(count, size=56):
    r = N.nsx(sys.executable, "-c", PING, IP, str(count), str(size))
    m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
    return ((int(m.group(1)), int(m.group(2))) if m else (0, 0),
            r.stdout + r.stderr)


def boot(e, g_name, checks):
    """Create g_name, attach its console; the guest's first NIC line."""
    r = e.xm("create", e.config(g_name, ["bridge=xenbr0,ip=%s" % IP], UUID))
    ok(r.returncode == 0, checks[0], r.stdout + r.stderr + e.log_tail())
    g = Guest(e, g_name)
    m = g.expect(NIC_RX, 60)
    g.expect(rb"xmguest# ", 30)
    return g, m


def test_ping(e):
    g, m = boot(e, "net1", ["xm create of a domain with a vif on xenbr0 "
                            "and ip=" + IP])
    rec = e.macs("net1")
    ok(m is not None and m.group(4) == b"1" and m.group(5) == b"1" and
       m.group(6) == b"1",
       "the guest finds eth0: virtio-net, link up, MSI-X, MRG_RXBUF",
       g.tail())
    mac = m.group(2).decode() if m else None
    ok(mac and rec == [mac],
       "its MAC is the record's (%s, network-list %s)" % (mac, rec), g.tail())
    ok(m is not None and m.group(3).decode() == IP,
       "its address is the vif's ip= (through the kernel's ip=)", g.tail())
    (sent, got), out = ping(5)
    ok(sent == 5 and got == 5,
       "the host pings the guest through xenbr0 and the tap: 5 of 5, "
       "each reply carrying the request's payload, checksums right", out)
    (sent, got), out = ping(3, 1472)
    ok(sent == 3 and got == 3, "1472-byte payloads (1500-byte packets): "
       "3 of 3", out)
    m = g.run("net", NIC_RX, 20)
    ok(m is not None and int(m.group(9)) == 8 and int(m.group(8)) >= 1 and
       int(m.group(11)) == 0,
       "the guest counted what the host sent: 8 echo requests answered, "
       "ARP answered, every frame in one buffer (num_buffers 1)", g.tail())
    sent, (got, rate), out = send_rate(g, mac or "", 150, 1514, 50)
    ok(sent == 150 and got == 150,
       "the guest sends 150 frames of 1514 bytes, the bridge sees them "
       "all (unlimited: %d bytes a second)" % rate, out + g.tail())
    unlimited[0] = rate
    neigh = N.nsx("ip", "neigh", "show", IP).stdout
    ok(mac and ("lladdr %s" % mac) in neigh,
       "the host's neighbour entry for %s is the guest's MAC" % IP, neigh)
    g.close()
    r = e.xm("destroy", "net1")
    ok(r.returncode == 0 and N.vifs() == [], "destroy leaves no vif",
       str(N.vifs()))
    g, m = boot(e, "net1", ["created again"])
    ok(m is not None and mac and m.group(2).decode() == mac and
       e.macs("net1") == [mac],
       "the guest reports the same stable MAC %s" % mac, g.tail())
    (sent, got), out = ping(3)
    ok(sent == 3 and got == 3, "and answers the host again: 3 of 3", out)
    g.close()
    r = e.xm("destroy", "net1")
    ok(r.returncode == 0 and N.vifs() == [], "destroy leaves no vif",
       str(N.vifs()))


def test_rate(e):
    """rate=160Kb/s: 20000 bytes a second of the guest's frames (the token
    bucket of its transmit queue), measured on the bridge past the
    bucket's burst (one TSO frame, 43 frames of 1514 bytes, and what
    refills while they go)."""
    r = e.xm("create", e.config(
        "net2", ["bridge=xenbr0,ip=%s,rate=160Kb/s" % IP]))
    g = Guest(e, "net2")
    m = g.expect(NIC_RX, 60)
    ok(r.returncode == 0 and m and g.expect(rb"xmguest# ", 30) is not None,
       "xm create with rate=160Kb/s", r.stderr + g.tail())
    ok("rate-limited" in open(os.path.join(e.root, "xmd.out")).read(),
       "the monitor's virtio-net is rate-limited", e.log_tail())
    mac = m.group(2).decode() if m else ""
    sent, (got, rate), out = send_rate(g, mac, 110, 1514, 55)
    desc = ("110 frames of 1514 bytes: %d bytes a second on the bridge past "
            "the burst, where rate= allows 20000 (0.5x to 1.5x; unlimited "
            "%d)" % (rate, unlimited[0]))
    if unlimited[0] < 3 * 20000:
        skip(desc, "the guest sends only %d bytes a second here "
             "(unlimited): too slow to show the limit" % unlimited[0])
    else:
        ok(sent == 110 and got == 110 and 10000 <= rate <= 30000, desc,
           out + g.tail())
    (sent, got), out = ping(3)
    ok(sent == 3 and got == 3, "pings within the rate still answered", out)
    g.close()
    r = e.xm("destroy", "net2")
    ok(r.returncode == 0 and N.vifs() == [], "destroy leaves no vif",
       str(N.vifs()))


def test_hotplug(e):
    """xm network-attach and network-detach on a running domain: the guest
    sees eth1 arrive (ACPI PCI hot-plug) with the record's MAC and sends
    through it, then ejects it when asked; the tap follows."""
    r = e.xm("create", e.config("net3", ["bridge=xenbr0,ip=%s" % IP]))
    g = Guest(e, "net3")
    ok(r.returncode == 0 and g.expect(rb"xmguest# ", 60) is not None,
       "xm create of net3 with one vif", r.stderr + g.tail())
    did = e.domid("net3")
    r = e.xm("network-attach", "net3", "bridge=xenbr0")
    m = g.expect(rb"net: added eth1 00:(..)\.0 mac ([0-9a-f:]{17}) ", 60)
    macs = e.macs("net3")
    mac = m.group(2).decode() if m else None
    ok(r.returncode == 0 and m is not None and len(macs) == 2 and
       macs[1] == mac,
       "xm network-attach: the guest sees eth1 arrive with the record's "
       "MAC %s" % mac, r.stdout + r.stderr + g.tail() + str(macs))
    tap = "vif%s.1" % did
    ok(tap in N.vifs() and "master xenbr0" in N.link(tap),
       "%s is on xenbr0" % tap, str(N.vifs()))
    sent, (got, rate), out = send_rate(g, mac or "", 20, 200, 0, "eth1")
    ok(sent == 20 and got == 20,
       "20 frames the guest sends from eth1 reach the bridge", out +
       g.tail())
    r = e.xm("network-detach", "net3", "1")
    m = g.expect(rb"net: removed eth1 mac ([0-9a-f:]{17})", 60)
    ok(r.returncode == 0 and m is not None and m.group(1).decode() == mac,
       "xm network-detach: the guest ejects eth1", r.stderr + g.tail())
    ok(tap not in N.vifs() and len(e.macs("net3")) == 1,
       "its tap is gone and the record has one vif again",
       str(N.vifs()) + e.xm("network-list", "net3").stdout)
    (sent, got), out = ping(3)
    ok(sent == 3 and got == 3, "eth0 still answers: 3 of 3", out)
    r = e.xm("network-detach", "net3", "7")
    ok(r.returncode != 0 and "Cannot find device" in r.stderr,
       "network-detach of a devid it does not have: refused", r.stderr)
    g.close()
    r = e.xm("destroy", "net3")
    ok(r.returncode == 0 and N.vifs() == [], "destroy leaves no vif",
       str(N.vifs()))


def main():
    H.require()
    if os.geteuid() != 0 or N.sh("ip", "netns", "add", N.NS).returncode:
        H.skip_all("needs network namespaces (ip netns add)")
    N.nsx("ip", "link", "set", "lo", "up")
    N.nsx("ip", "link", "add", "xenbr0", "type", "bridge")
    N.nsx("ip", "addr", "add", "192.0.2.1/24", "dev", "xenbr0")
    N.nsx("ip", "link", "set", "xenbr0", "up")
    e = N.NetXmd("xm-net-")
    try:
        ok(e.start_xmd(), "xmd starts in a private network namespace",
           e.log_tail())
        test_ping(e)
        test_rate(e)
        test_hotplug(e)
    finally:
        e.cleanup()
        N.sh("ip", "netns", "del", N.NS)
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
