# SPDX-License-Identifier: GPL-2.0-or-later
"""vm.py: boots an L1 machine in QEMU TCG with an emulated SVM CPU (so KVM
works inside it) and watches it: a silence watchdog on its console log, and
when it fires, a dump of L1's CPU state through the QEMU monitor before the
machine is killed (QEMU 7.2's TCG sometimes stops delivering L1's timer
interrupt while L2 runs: tests/linux/README.md). Used by scripts/with-kvm
and the real-Linux tier."""

import os
import re
import shutil
import socket
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# EPYC with SVM and nested paging, minus what TCG cannot emulate (QEMU would
# warn about each and leave it out anyway).
CPU = ("EPYC,+svm,+npt,-rdseed,-sha-ni,-fxsr-opt,-misalignsse,"
       "-3dnowprefetch,-osvw,-topoext,-nrip-save,-xsavec")


def qemu_binary():
    """The qemu-system-x86_64 to use ($QEMU_SYSTEM_X86_64 or PATH), or
    None."""
    q = os.environ.get("QEMU_SYSTEM_X86_64") or shutil.which(
        "qemu-system-x86_64")
    return q if q and os.path.exists(q) else None


def monitor(sock, command, wait=1.5):
    """One QEMU human-monitor command over its unix socket; its output."""
    out = b""
    try:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(wait)
        c.connect(sock)
        c.sendall(command.encode() + b"\n")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = c.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        c.close()
    except OSError as e:
        out += ("monitor: %s" % e).encode()
    return out.decode("utf-8", "replace").replace("\r", "")


def symbolize(rip, sysmap):
    """Nearest symbol at or below rip in System.map (L1 runs nokaslr)."""
    best = None
    try:
        with open(sysmap) as f:
            for line in f:
                w = line.split()
                if len(w) == 3 and w[1] in "tTwW":
                    a = int(w[0], 16)
                    if a <= rip and (best is None or a > best[0]):
                        best = (a, w[2])
    except OSError:
        return "?"
    return "%s+0x%x" % (best[1], rip - best[0]) if best else "?"


def diagnose_hang(sock, sysmap):
    """L1 stopped talking: where its CPU is (registers and LAPIC once, RIP
    three times). Returns the dump as lines starting with XMHOST."""
    lines = ["XMHOST L1 silent: sampling its CPU"]
    for command in ("info registers", "info lapic"):
        for line in monitor(sock, command).splitlines():
            if line.strip() and not line.startswith(
                    ("(qemu)", "QEMU ", "FPR", "XMM", "YMM", "DR")):
                lines.append("XMHOST %s" % line)
    for _ in range(3):
        regs = monitor(sock, "info registers")
        m = re.search(r"RIP=([0-9a-f]{16})", regs)
        cpl = re.search(r"CPL=(\d)", regs)
        if m:
            rip = int(m.group(1), 16)
            lines.append("XMHOST L1 RIP=%016x CPL=%s %s" %
                         (rip, cpl.group(1) if cpl else "?",
                          symbolize(rip, sysmap)))
        else:
            lines.append("XMHOST monitor said: %s" % regs[-300:])
        time.sleep(1)
    return lines


class Machine:
    """One L1 boot: kernel + initrd + append, 9p shares [(tag, path, ro)],
    console to console_log; tty=True puts the caller's terminal on the
    second serial port (QEMU switches it to raw mode)."""

    def __init__(self, kernel, initrd, append, shares, console_log,
                 mem_mib=4096, cpus=1, tty=False):
        self.kernel = kernel
        self.initrd = initrd
        self.append = append
        self.shares = shares
        self.console_log = console_log
        self.mem_mib = mem_mib
        self.cpus = cpus
        self.tty = tty
        self.monitor_sock = console_log + ".monitor"
        self.proc = None

    def command(self, qemu):
        model = os.environ.get("XM_WITH_KVM_9P_MODEL") or (
            "passthrough" if os.geteuid() == 0 else "none")
        cmd = [qemu, "-accel", "tcg,thread=single", "-cpu", CPU,
               "-m", str(self.mem_mib), "-smp", str(self.cpus),
               "-nodefaults", "-no-user-config", "-display", "none",
               "-no-reboot", "-nic", "none",
               "-serial", "file:%s" % self.console_log,
               "-monitor", "unix:%s,server=on,wait=off" % self.monitor_sock,
               "-device", "virtio-rng-pci",
               "-kernel", self.kernel.vmlinuz, "-initrd", self.initrd,
               "-append", self.append]
        if self.tty:
            cmd += ["-chardev", "stdio,id=term,signal=off",
                    "-serial", "chardev:term"]
        for i, (tag, path, ro) in enumerate(self.shares):
            cmd += ["-fsdev", "local,id=fs%d,path=%s,security_model=%s,"
                    "multidevs=remap%s" % (i, path.replace(",", ",,"), model,
                                           ",readonly=on" if ro else ""),
                    "-device", "virtio-9p-pci,fsdev=fs%d,mount_tag=%s" %
                    (i, tag)]
        return cmd

    def start(self, qemu):
        for p in (self.monitor_sock,):
            if os.path.exists(p):
                os.unlink(p)
        open(self.console_log, "wb").close()
        self.stderr_log = self.console_log + ".qemu-stderr"
        with open(self.stderr_log, "wb") as err:
            self.proc = subprocess.Popen(
                self.command(qemu),
                stdin=None if self.tty else subprocess.DEVNULL,
                stdout=None if self.tty else subprocess.DEVNULL, stderr=err)
        self.started = time.monotonic()

    def console_size(self):
        try:
            return os.path.getsize(self.console_log)
        except OSError:
            return 0

    def console_text(self):
        try:
            with open(self.console_log, "rb") as f:
                return f.read().decode("utf-8", "replace").replace("\r", "")
        except OSError:
            return ""

    def qemu_stderr(self):
        try:
            with open(self.stderr_log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, AttributeError):
            return ""

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if os.path.exists(self.monitor_sock):
            os.unlink(self.monitor_sock)
