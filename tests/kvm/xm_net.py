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
and answers again; destroy leaves no vif. TAP."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmharness as H  # noqa: E402
from xmharness import ok  # noqa: E402
import xmd_net as N  # noqa: E402
from xm_blk import Guest  # noqa: E402

UUID = "0b7e4c1d-2a3f-4b5c-9d6e-7f8091a2b3c4"
IP = "192.0.2.10"
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
    finally:
        e.cleanup()
        N.sh("ip", "netns", "del", N.NS)
    return H.plan()


if __name__ == "__main__":
    sys.exit(main())
