#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""iperf.py: iperf3 between one L1 and the same L2 (Debian's kernel, the
one tests/linux uses, a busybox initramfs with iperf3 and its libraries)
on three datapaths: xmhv's user-space virtio-net (datapath=user), xmhv
with vhost-net, and QEMU (q35, -netdev tap,vhost=on, virtio-net-pci). The
same bridge (198.51.100.1/24 in L1), a tap per run with host MAC
fe:ff:ff:ff:ff:ff on it, 256 MiB and one vCPU for L2. L2 runs, against
`iperf3 -s` in L1: TCP L2->L1 and L1->L2 (-R), UDP the same (-u -b 0),
each for SECS seconds, and 20 pings. ROUNDS rounds (BENCH_NET_ROUNDS, 3),
the three datapaths in a rotated order each round (a Latin square: each
runs first, second and third once in three rounds, so neither L1's warm
caches nor a busy moment of the shared host favours one), each guest
reporting the virtio features it negotiated and its interrupt count.
Prints every round and a Markdown table of the medians (receiver Mbit/s,
mean RTT) and whether the goals hold on them (vhost-net >= QEMU on every
row; user-space >= half of vhost-net on TCP). Run it where unmodified
Linux boots, from the build directory:
`scripts/with-kvm --linux python3 ../../bench/net/iperf.py`
(`make bench-linux-net`). Needs root, iperf3 and busybox-static."""
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "linux"))
import l2  # noqa: E402
from l1 import cpio  # noqa: E402

BR, HOST, GUEST, MAC = "xmbench0", "198.51.100.1", "198.51.100.2", \
    "00:16:3e:00:0b:02"
SECS = int(os.environ.get("BENCH_NET_SECS", "5"))
ROUNDS = int(os.environ.get("BENCH_NET_ROUNDS", "3"))
# The same CPU model as QEMU's L2 for xmhv's (l2.QEMU_LIKE_CPUID);
# BENCH_NET_SAME_CPU=0 keeps xmhv's own.
SAME_CPU = (l2.QEMU_LIKE_CPUID
            if os.environ.get("BENCH_NET_SAME_CPU", "1") == "1" else "")
KINDS = ("user", "vhost", "qemu")
MODULES = l2.NET_MODULES
ROWS = [("tcp_up", "TCP L2->L1 (Mbit/s)"), ("tcp_down", "TCP L1->L2 (Mbit/s)"),
        ("udp_up", "UDP L2->L1 (Mbit/s)"), ("udp_down", "UDP L1->L2 (Mbit/s)"),
        ("rtt", "ping RTT (ms, lower is better)")]
INIT = l2.NET_INIT_HEAD + r"""echo "XMTEST mac=$(cat /sys/class/net/eth0/address)"
ifconfig lo up
ifconfig eth0 %(guest)s netmask 255.255.255.0 up
ping -c 3 -W 5 %(host)s >/dev/null
r() { awk '/receiver/ {print $7}' | tail -1; }
echo "XMTEST tcp_up=$(iperf3 -c %(host)s -t %(secs)d -f m | r)"
echo "XMTEST tcp_down=$(iperf3 -c %(host)s -t %(secs)d -f m -R | r)"
echo "XMTEST udp_up=$(iperf3 -c %(host)s -t %(secs)d -f m -u -b 0 | r)"
echo "XMTEST udp_down=$(iperf3 -c %(host)s -t %(secs)d -f m -u -b 0 -R | r)"
echo "XMTEST rtt=$(ping -c 20 -i 0.2 %(host)s | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')"
echo "XMTEST cpuflags=$(grep -m1 '^flags' /proc/cpuinfo | wc -w)"
echo "XMTEST cpuflagset=$(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2)"
echo "XMTEST features=$(cat /sys/class/net/eth0/device/features)"
echo "XMTEST irqs=$(grep virtio /proc/interrupts | awk '{s += $2} END {print s}')"
echo "XMTEST cmdline=$(cat /proc/cmdline)"
dmesg | grep -iE 'kvm|steal|haltpoll|clocksource|x86/fpu|apic|tsc|idle' | sed 's/^\[[ 0-9.]*\] */XMDMESG /'
echo "XMTEST done"
poweroff -f
"""


def sh(*a):
    return subprocess.run(list(a), capture_output=True, text=True)


def initrd(kernel, out):
    cp = cpio.Cpio()
    cp.add_file("bin/busybox", src="/bin/busybox", mode=0o755)
    for a in ("sh cat cut dd echo grep insmod ls mount sleep ifconfig ping "
              "awk sed tail poweroff").split():
        cp.add_symlink("bin/" + a, "busybox")
    l2.add_binary(cp, shutil.which("iperf3"), "bin/iperf3")
    cp.add_chardev("dev/console", 5, 1)
    cp.add_chardev("dev/null", 1, 3)
    for d in ("proc", "sys", "tmp"):
        cp.add_dir(d)
    init = out + ".init"
    with open(init, "w") as f:
        f.write(INIT % {"mods": " ".join(MODULES), "host": HOST,
                        "guest": GUEST, "secs": SECS})
    cp.add_file("init", src=init, mode=0o755)
    l2.add_modules(cp, kernel, MODULES)
    l2.write_gzip(cp, out)


KVM_DEBUGFS = "/sys/kernel/debug/kvm"
KVM_STATS = ("pages_4k", "pages_2m", "exits", "io_exits", "mmio_exits",
             "halt_exits", "irq_injections", "insn_emulation", "irq_exits",
             "request_irq_exits", "irq_window_exits")
SAMPLED = KVM_STATS + ("cpu_ticks", "vhost_ticks")


def kvm_stats(pid):
    """L1 KVM's counters (debugfs) of process pid's VM, or {}."""
    if not os.path.isdir(KVM_DEBUGFS):
        sh("mount", "-t", "debugfs", "none", "/sys/kernel/debug")
    try:
        d = [x for x in os.listdir(KVM_DEBUGFS)
             if x.startswith("%d-" % pid)]
        out = {}
        for k in KVM_STATS:
            with open(os.path.join(KVM_DEBUGFS, d[0], k)) as f:
                out[k] = int(f.read())
        out["cpu_ticks"] = ticks(pid)
        w = pid_of("vhost-%d" % pid)
        out["vhost_ticks"] = ticks(w) if w else 0
        return out
    except (OSError, IndexError, ValueError):
        return {}


def ticks(pid):
    """User + system clock ticks of process pid (all its threads)."""
    with open("/proc/%d/stat" % pid) as f:
        f = f.read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


def pid_of(comm):
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/comm" % d) as f:
                if f.read().strip() == comm:
                    return int(d)
        except (OSError, ValueError):
            pass
    return None


def wait_console(path, deadline, alive, pid=None):
    """The console text once the guest is done; with pid, also the last
    KVM counters of its VM read while it ran (the VM goes at poweroff)."""
    text, stats = "", {}
    while time.time() < deadline:
        try:
            text = open(path, errors="replace").read()
        except OSError:
            pass
        if "XMTEST done" in text or "Kernel panic" in text or not alive():
            break
        p = pid() if callable(pid) else pid
        stats = (kvm_stats(p) if p else {}) or stats
        time.sleep(1)
    return text, stats


def vhost_fds(pid):
    d = "/proc/%d/fd" % pid
    try:
        return sum(1 for f in os.listdir(d)
                   if os.readlink(os.path.join(d, f)) == "/dev/vhost-net")
    except OSError:
        return -1


def run_xm(tools, paths, rd, datapath, rnd):
    name = "iperf-%s-%d" % (datapath, rnd)
    cfg = os.path.join(tools.xmroot, "etc", "xen", name)
    with open(cfg, "w") as f:
        f.write('name = "%s"\nkernel = "%s"\nramdisk = "%s"\nmemory = 256\n'
                'extra = "console=ttyS0 quiet"\n'
                'vif = ["bridge=%s,mac=%s,datapath=%s"]\n'
                'on_poweroff = "destroy"\n%s'
                % (name, paths["vmlinuz"], rd, BR, MAC, datapath, SAME_CPU))
    c = subprocess.run([tools.xm, "create", name], env=tools.xm_env(),
                       capture_output=True, text=True)
    print("# xm create %s: %d %s" % (name, c.returncode, c.stderr.strip()))
    lst = subprocess.run([tools.xm, "network-list", "--long", name],
                         env=tools.xm_env(), capture_output=True,
                         text=True).stdout
    got = re.search(r"\(datapath (\S+)\)", lst)
    con = os.path.join(tools.xmroot, "var", "log", "xmd", "console",
                       name + ".log")

    def alive():
        return subprocess.run([tools.xm, "list", name], env=tools.xm_env(),
                              capture_output=True).returncode == 0
    text, stats = wait_console(con, time.time() + 600, alive,
                               lambda: pid_of("xmhv"))
    subprocess.run([tools.xm, "destroy", name], env=tools.xm_env(),
                   capture_output=True)
    return text, got.group(1) if got else "?", stats


def run_qemu(tools, paths, rd, work):
    tap = "qtap0"
    sh("ip", "tuntap", "add", "dev", tap, "mode", "tap", "vnet_hdr")
    sh("ip", "link", "set", tap, "address", "fe:ff:ff:ff:ff:ff")
    sh("ip", "link", "set", tap, "master", BR)
    sh("ip", "link", "set", tap, "up")
    con = os.path.join(work, "qemu-console.log")
    if os.path.exists(con):
        os.unlink(con)
    argv = [tools.qemu, "-L", "/usr/share/qemu", "-accel", "kvm", "-M", "q35",
            "-cpu", "host", "-m", "256", "-smp", "1", "-nodefaults",
            "-no-user-config", "-display", "none", "-no-reboot",
            "-serial", "file:" + con, "-kernel", paths["vmlinuz"],
            "-initrd", rd, "-append", "console=ttyS0 quiet",
            "-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no,"
            "vhost=on" % tap,
            "-device", "virtio-net-pci,netdev=n0,mac=%s" % MAC]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    vh = vhost_fds(p.pid)
    text, stats = wait_console(con, time.time() + 600,
                               lambda: p.poll() is None, p.pid)
    if p.poll() is None:
        p.kill()
    err = p.communicate()[1]
    if err.strip():
        print("# qemu: " + err.strip().replace("\n", "\n# "))
    sh("ip", "tuntap", "del", "dev", tap, "mode", "tap")
    return text, "vhost-net" if vh > 0 else "user (no vhost fd)", stats


def num(kv, key):
    try:
        return float(kv.get(key, "").split()[0])
    except (ValueError, IndexError):
        return None


def fmt(v, key):
    if v is None:
        return "-"
    return "%.3f" % v if key == "rtt" else "%.0f" % v


def better(a, b, key):
    """Is a at least as good as b?"""
    if a is None or b is None:
        return False
    return a <= b if key == "rtt" else a >= b


def main():
    build = os.environ.get("XM_BUILDDIR", os.getcwd())
    work = os.path.join("/tmp", "xm-bench-iperf")
    os.makedirs(work, exist_ok=True)
    if not shutil.which("iperf3"):
        print("# SKIP: no iperf3 (Debian's iperf3; scripts/install-deps)")
        return 0
    try:
        paths = l2.prepare(work)
    except l2.Skip as e:
        print("# SKIP %s" % e)
        return 0
    if not os.path.exists("/dev/vhost-net"):
        sh("modprobe", "vhost_net")
    rd = os.path.join(work, "iperf-initrd.gz")
    initrd(paths["kernel"], rd)
    sh("ip", "link", "add", BR, "type", "bridge")
    sh("ip", "addr", "add", HOST + "/24", "dev", BR)
    sh("ip", "link", "set", BR, "up")
    srv = subprocess.Popen(["iperf3", "-s", "-B", HOST],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    tools = l2.Tools(build)
    tools.start_xmd()
    results, used = {}, {}  # per datapath: a list of {row: value}
    try:
        for rnd in range(ROUNDS):
            order = KINDS[rnd % 3:] + KINDS[:rnd % 3]
            for key in order:
                t0 = time.time()
                if key == "qemu":
                    text, dp, st = run_qemu(tools, paths, rd, work)
                else:
                    text, dp, st = run_xm(tools, paths, rd, key, rnd)
                used.setdefault(key, set()).add(dp)
                kv = dict(re.findall(r"XMTEST (\w+)=(.*)", text))
                kv.update(("kvm_" + k, str(v)) for k, v in st.items())
                results.setdefault(key, []).append(kv)
                print("# round %d %s (%s, %.0f s): %s" % (
                    rnd + 1, key, dp, time.time() - t0, kv))
                if rnd == 0 and os.environ.get("BENCH_NET_DMESG"):
                    print("# %s dmesg:\n# " % key + "\n# ".join(
                        re.findall(r"XMDMESG (.*)", text)))
                if "XMTEST done" not in text:
                    print("# console tail:\n# " +
                          "\n# ".join(text.splitlines()[-15:]))
    finally:
        tools.stop()
        srv.kill()
        sh("ip", "link", "del", BR)
    table(results)
    print("datapaths used: " + ", ".join(
        "%s %s" % (k, "/".join(sorted(used.get(k, ())))) for k in KINDS))
    return 0


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2


def table(results):
    print("| row | round | xmhv user-space | xmhv vhost-net | QEMU vhost=on "
          "| vhost/QEMU | user/vhost |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    goals = []

    def ratio(a, b):
        return "%.2f" % (a / b) if a and b else "-"
    for key, title in ROWS:
        per = {k: [num(kv, key) for kv in results.get(k, [])] for k in KINDS}
        for rnd in range(ROUNDS):
            u, v, q = (per[k][rnd] if rnd < len(per[k]) else None
                       for k in KINDS)
            print("| %s | %d | %s | %s | %s | %s | %s |" % (
                title if rnd == 0 else "", rnd + 1, fmt(u, key),
                fmt(v, key), fmt(q, key), ratio(v, q), ratio(u, v)))
        u, v, q = (median(per[k]) for k in KINDS)
        print("| | **median** | %s | %s | %s | %s | %s |" % (
            fmt(u, key), fmt(v, key), fmt(q, key), ratio(v, q),
            ratio(u, v)))
        goals.append(("vhost-net >= QEMU (medians): " + title,
                      better(v, q, key)))
        if key.startswith("tcp"):
            goals.append(("user-space >= half of vhost-net (medians): " +
                          title, u is not None and v is not None and
                          u >= v / 2))
    print()
    for k in KINDS:
        feats = sorted(set(kv.get("features", "?")
                           for kv in results.get(k, [])))
        irqs = [kv.get("irqs", "?") for kv in results.get(k, [])]
        flags = sorted(set(kv.get("cpuflags", "?")
                           for kv in results.get(k, [])))
        print("%s: virtio features %s; virtio interrupts %s; CPU flags %s" %
              (k, " ".join(feats), " ".join(irqs), " ".join(flags)))
        for s in SAMPLED:
            print("%s: L1 KVM %s %s" % (k, s, " ".join(
                kv.get("kvm_" + s, "?") for kv in results.get(k, []))))
    fl = {k: set(results.get(k, [{}])[0].get("cpuflagset", "").split())
          for k in ("vhost", "qemu")}
    print("CPU flags only under xmhv: %s; only under QEMU: %s" % (
        " ".join(sorted(fl["vhost"] - fl["qemu"])) or "-",
        " ".join(sorted(fl["qemu"] - fl["vhost"])) or "-"))
    for desc, met in goals:
        print("goal %s: %s" % ("met" if met else "NOT met", desc))

if __name__ == "__main__":
    sys.exit(main())
