#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""linux-net.py: Debian's kernel (L2) on xmhv's virtio-net, through xmd and
xm create, on a managed network of this machine (198.51.100.0/24, xmd's
dnsmasq, no NAT): Debian's virtio_net binds the NIC, L2 gets its reserved
address from dnsmasq (udhcpc), pings the bridge's address, sends 8 MiB
over TCP to it and receives 8 MiB back (both directions through the tap with the
offloads the driver negotiated: checksums, TSO, mergeable buffers), and
the MD5s on both ends are compared. Prints "ok"/"not ok" lines and the
TCP rates as L1 measured them. Runs where an unmodified Linux can boot:
`scripts/with-kvm --linux bench/net/linux-net.py` from the build
directory (XM_BUILDDIR, default the current directory). Needs root (a
bridge), busybox-static and the kernel package tests/linux uses."""
import hashlib
import os
import re
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "linux"))
import l2  # noqa: E402
from l1 import cpio  # noqa: E402

NET, BR, HOST, GUEST, MAC = "benchnet", "xmbench0", "198.51.100.1", \
    "198.51.100.42", "00:16:3e:00:0b:01"
SIZE = 8 << 20
MODULES = l2.NET_MODULES
INIT = l2.NET_INIT_HEAD + r"""echo "XMTEST mac=$(cat /sys/class/net/eth0/address)"
echo "XMTEST driver=$(basename $(readlink /sys/class/net/eth0/device/driver))"
echo "XMTEST features=$(cat /sys/class/net/eth0/device/features)"
ifconfig lo up
ifconfig eth0 up
udhcpc -i eth0 -n -q -t 20 -s /bin/dhcp-script
echo "XMTEST addr=$(ifconfig eth0 | grep -o 'inet addr:[0-9.]*' | cut -d: -f2)"
echo "XMTEST ping=$(ping -c 3 -W 3 %(host)s | grep -o '[0-9]* packets received')"
dd if=/dev/urandom of=/tmp/out bs=1M count=8 2>/dev/null
echo "XMTEST sent_md5=$(md5sum </tmp/out | cut -d' ' -f1)"
nc %(host)s 5001 </tmp/out
nc %(host)s 5002 >/tmp/in
echo "XMTEST got_md5=$(md5sum </tmp/in | cut -d' ' -f1) got_len=$(wc -c </tmp/in)"
echo "XMTEST done"
poweroff -f
"""


def initrd(kernel, out):
    cp = cpio.Cpio()
    cp.add_file("bin/busybox", src="/bin/busybox", mode=0o755)
    for a in ("sh cat cut dd echo grep insmod ls mount sleep ifconfig ping "
              "nc md5sum wc poweroff basename readlink udhcpc").split():
        cp.add_symlink("bin/" + a, "busybox")
    cp.add_chardev("dev/console", 5, 1)
    cp.add_chardev("dev/null", 1, 3)
    for d in ("proc", "sys", "tmp"):
        cp.add_dir(d)
    init = out + ".init"
    with open(init, "w") as f:
        f.write(INIT % {"mods": " ".join(MODULES), "host": HOST})
    cp.add_file("init", src=init, mode=0o755)
    script = out + ".dhcp"
    with open(script, "w") as f:
        f.write('#!/bin/sh\ncase "$1" in bound|renew)\n'
                '\tifconfig "$interface" "$ip" netmask "${subnet:-'
                '255.255.255.0}" up\n\techo "XMTEST lease=$ip";;\nesac\n')
    cp.add_file("bin/dhcp-script", src=script, mode=0o755)
    l2.add_modules(cp, kernel, MODULES)
    l2.write_gzip(cp, out)


def serve(results):
    """5001: take SIZE bytes, their MD5 and rate; 5002: send SIZE random
    bytes, their MD5 and rate."""
    data = os.urandom(SIZE)
    results["back_md5"] = hashlib.md5(data).hexdigest()
    for port in (5001, 5002):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, port))
        s.listen(1)
        results["ls%d" % port] = s
    c, _ = results["ls5001"].accept()
    h, n, t0 = hashlib.md5(), 0, time.time()
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    results["in"] = (h.hexdigest(), n, n / max(time.time() - t0, 1e-6))
    c.close()
    c, _ = results["ls5002"].accept()
    t0 = time.time()
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    results["out_rate"] = SIZE / max(time.time() - t0, 1e-6)
    c.close()


def main():
    build = os.environ.get("XM_BUILDDIR", os.getcwd())
    work = os.path.join("/tmp", "xm-linux-net")
    os.makedirs(work, exist_ok=True)
    try:
        paths = l2.prepare(work)
    except l2.Skip as e:
        print("# SKIP %s" % e)
        return 0
    rd = os.path.join(work, "net-initrd.gz")
    initrd(paths["kernel"], rd)
    results = {}
    srv = threading.Thread(target=serve, args=(results,), daemon=True)
    tools = l2.Tools(build)
    tools.start_xmd()
    os.chmod(tools.xmroot, 0o755)  # dnsmasq, no longer root, reads here
    nets = os.path.join(tools.xmroot, "etc", "xen", "networks")
    os.makedirs(nets, exist_ok=True)
    with open(os.path.join(nets, NET + ".conf"), "w") as f:
        f.write("bridge = %s\nsubnet = 198.51.100.0/24\nnat = off\n" % BR)
    name = "l2net"
    cfg = os.path.join(tools.xmroot, "etc", "xen", name)
    with open(cfg, "w") as f:
        f.write('name = "%s"\nkernel = "%s"\nramdisk = "%s"\nmemory = 256\n'
                'extra = "console=ttyS0 quiet"\n'
                'vif = ["bridge=%s,mac=%s,ip=%s"]\non_poweroff = "destroy"\n'
                % (name, paths["vmlinuz"], rd, NET, MAC, GUEST))
    t0 = time.time()
    c = subprocess.run([tools.xm, "create", name], env=tools.xm_env(),
                       capture_output=True, text=True)
    print("# xm create: %d %s" % (c.returncode, c.stderr.strip()))
    srv.start()  # the bridge has its address now
    con = os.path.join(tools.xmroot, "var", "log", "xmd", "console",
                       name + ".log")
    text = ""
    while time.time() - t0 < 600:
        try:
            text = open(con, errors="replace").read()
        except OSError:
            pass
        if "XMTEST done" in text or "Kernel panic" in text:
            break
        if subprocess.run([tools.xm, "list", name], env=tools.xm_env(),
                          capture_output=True).returncode and \
                time.time() - t0 > 30:
            break
        time.sleep(1)
    srv.join(30)
    kv = dict(re.findall(r"XMTEST (\w+)=(.*)", text))
    print("# guest: %s" % kv)
    print("# console tail:\n# " + "\n# ".join(text.splitlines()[-25:]))
    checks = [
        (kv.get("driver", "").strip() == "virtio_net",
         "Debian's virtio_net binds the NIC"),
        (kv.get("mac", "").strip() == MAC, "its MAC is the config's"),
        (kv.get("lease", "").strip() == GUEST and
         kv.get("addr", "").strip() == GUEST,
         "dnsmasq leases it its reserved address %s" % GUEST),
        ("3 packets received" in kv.get("ping", ""),
         "L2 pings L1 through the tap and the bridge: 3 of 3"),
        ("in" in results and results["in"][0] ==
         kv.get("sent_md5", "").strip() and results["in"][1] == SIZE,
         "8 MiB L2 -> L1 over TCP: the MD5s agree (%.1f MB/s)"
         % (results["in"][2] / 1e6 if "in" in results else 0)),
        (kv.get("got_md5", "").split()[0:1] == [results.get("back_md5")],
         "8 MiB L1 -> L2 over TCP: the MD5s agree (%.1f MB/s)"
         % (results.get("out_rate", 0) / 1e6)),
    ]
    for i, (cond, desc) in enumerate(checks, 1):
        print("%sok %d - %s" % ("" if cond else "not ", i, desc))
    subprocess.run([tools.xm, "destroy", name], env=tools.xm_env(),
                   capture_output=True)
    subprocess.run([tools.xm, "network-stop", NET], env=tools.xm_env(),
                   capture_output=True)
    tools.stop()
    return 0 if all(c for c, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
