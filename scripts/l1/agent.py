# SPDX-License-Identifier: GPL-2.0-or-later
"""agent.py: stage 2 of scripts/with-kvm's L1 machine, PID 1 inside the host's
root (after l1/init). Finishes the mounts, loads the KVM modules (and the
ones the device tests use), then runs the caller's command as root in the
caller's directory with the caller's environment, its output streamed back
through files in the job share (or its terminal on the second serial port),
and powers L1 off with the command's exit status recorded in the job share.
Prints "XMHB" heartbeats on the console so the host can tell a hung L1.

Runs under `python3 -S -B`: standard library only, no site packages."""

import ctypes
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

JOB = sys.argv[1] if len(sys.argv) > 1 else "/run/with-kvm"
DEFAULT_MODULES = ("kvm_amd tun loop dm_mod vhost_net bridge veth "
                   "virtio_rng")


def console(msg):
    """One line on L1's console (ttyS0: the host's l1-console.log)."""
    try:
        with open("/dev/console", "w") as c:
            c.write(msg + "\n")
    except OSError:
        pass


def read(name, default=None):
    try:
        with open(os.path.join(JOB, name), "rb") as f:
            return f.read()
    except OSError:
        return default


def mounts():
    os.makedirs("/dev/pts", exist_ok=True)
    os.makedirs("/dev/shm", exist_ok=True)
    for args in (["-t", "devpts", "-o", "gid=5,mode=620,ptmxmode=666",
                  "devpts", "/dev/pts"],
                 ["-t", "tmpfs", "-o", "mode=1777,nosuid,nodev", "shm",
                  "/dev/shm"],
                 ["-t", "cgroup2", "cgroup2", "/sys/fs/cgroup"]):
        subprocess.run(["/bin/mount"] + args, stderr=subprocess.DEVNULL)
    if not os.path.exists("/dev/ptmx"):
        os.symlink("pts/ptmx", "/dev/ptmx")
    for link, target in (("/dev/fd", "/proc/self/fd"),
                         ("/dev/stdin", "/proc/self/fd/0"),
                         ("/dev/stdout", "/proc/self/fd/1"),
                         ("/dev/stderr", "/proc/self/fd/2")):
        if not os.path.lexists(link):
            os.symlink(target, link)
    for d in ("/run/lock", "/run/user"):
        os.makedirs(d, exist_ok=True)


def load_modules(env):
    mods = env.get("XM_WITH_KVM_MODULES", DEFAULT_MODULES).split()
    r = subprocess.run(["/sbin/modprobe", "-a"] + mods,
                       capture_output=True, text=True)
    if r.returncode:
        console("XML1 error modprobe: %s" % r.stderr.strip()[-300:])
    if not os.path.exists("/dev/kvm"):
        console("XML1 error no /dev/kvm after modprobe kvm_amd")


def heartbeat(tty_fd):
    """Every 2 s: a console line for the host's watchdog, and the host
    terminal's new window size (job/winsize) applied to the command's tty."""
    n, seen = 0, None
    while True:
        time.sleep(2)
        n += 1
        console("XMHB %d" % n)
        if tty_fd is None:
            continue
        ws = read("winsize")
        if ws and ws != seen:
            seen = ws
            try:
                rows, cols = (int(x) for x in ws.split())
                fcntl.ioctl(tty_fd, termios.TIOCSWINSZ,
                            struct.pack("HHHH", rows, cols, 0, 0))
            except (ValueError, OSError):
                pass


def spool_stdin(wfd):
    """Copy the host's piped stdin (job/stdin, growing; job/stdin.eof once
    it ended) into the command's stdin pipe."""
    path = os.path.join(JOB, "stdin")
    with open(path, "rb", buffering=0) as f:
        while True:
            chunk = f.read(65536)
            if chunk:
                try:
                    os.write(wfd, chunk)
                except OSError:
                    break
                continue
            if os.path.exists(path + ".eof"):
                chunk = f.read()
                if not chunk:
                    break
                continue
            time.sleep(0.05)
    os.close(wfd)


def child_fds(spec):
    """The command's fds 0, 1, 2 per job/stdio: 'tty ROWS COLS',
    'file PATH', 'spool' or 'null' for stdin; output to the job files."""
    words = spec.split()
    if words[0] == "tty":
        fd = os.open("/dev/ttyS1", os.O_RDWR | os.O_NOCTTY)
        subprocess.run(["/bin/stty", "-F", "/dev/ttyS1", "sane", "115200",
                        "clocal", "rows", words[1], "cols", words[2]])
        return fd, fd, fd, None
    out = os.open(os.path.join(JOB, "stdout"),
                  os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    err = os.open(os.path.join(JOB, "stderr"),
                  os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    feeder = None
    if words[0] == "file":
        try:
            inp = os.open(spec.split(None, 1)[1], os.O_RDONLY)
        except OSError:
            inp = os.open("/dev/null", os.O_RDONLY)
    elif words[0] == "spool":
        inp, w = os.pipe()
        feeder = threading.Thread(target=spool_stdin, args=(w,), daemon=True)
    else:
        inp = os.open("/dev/null", os.O_RDONLY)
    return inp, out, err, feeder


def run_command():
    argv = [a.decode() for a in read("argv").split(b"\0") if a]
    env = {}
    for kv in read("env", b"").split(b"\0"):
        k, sep, v = kv.decode("utf-8", "surrogateescape").partition("=")
        if sep:
            env[k] = v
    env["XM_WITH_KVM_INSIDE"] = "1"
    cwd = read("cwd").decode()
    hostname = read("hostname", b"").decode().strip()
    if hostname:
        try:
            with open("/proc/sys/kernel/hostname", "w") as f:
                f.write(hostname)
        except OSError:
            pass
    load_modules(env)
    inp, out, err, feeder = child_fds(read("stdio").decode())
    tty = out if inp == out else None
    threading.Thread(target=heartbeat, args=(tty,), daemon=True).start()
    console("XMAGENT start")
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if tty is not None:
                fcntl.ioctl(tty, termios.TIOCSCTTY, 0)
            for i, fd in enumerate((inp, out, err)):
                os.dup2(fd, i)
            os.closerange(3, 1 << 16)
            for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP,
                      signal.SIGPIPE):
                signal.signal(s, signal.SIG_DFL)
            os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        except OSError as e:
            os.write(2, ("with-kvm: %s: %s\n" % (argv[0], e.strerror))
                     .encode())
            os._exit(127 if isinstance(e, FileNotFoundError) else 126)
    if feeder:
        feeder.start()
    status = None
    while status is None:
        try:
            p, st = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if p == pid:
            status = st
    if status is None:
        return 125
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def copy_back_entry(up, low):
    """Apply one overlay upper entry to the host directory underneath."""
    import shutil
    import stat
    st = os.lstat(up)
    if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:  # whiteout: deleted
        if os.path.isdir(low) and not os.path.islink(low):
            shutil.rmtree(low, ignore_errors=True)
        elif os.path.lexists(low):
            os.unlink(low)
        return
    if stat.S_ISDIR(st.st_mode):
        if os.path.lexists(low) and not os.path.isdir(low):
            os.unlink(low)
        os.makedirs(low, exist_ok=True)
        names = set(os.listdir(up))
        try:
            opaque = os.getxattr(up, "trusted.overlay.opaque") == b"y"
        except OSError:
            opaque = False
        if opaque:  # removed and made again: what is not in upper is gone
            for n in os.listdir(low):
                if n not in names:
                    copy_back_entry_gone(os.path.join(low, n))
        for n in names:
            copy_back_entry(os.path.join(up, n), os.path.join(low, n))
        os.chmod(low, stat.S_IMODE(st.st_mode))
        os.utime(low, ns=(st.st_atime_ns, st.st_mtime_ns))
        return
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(up)
        if os.path.lexists(low):
            copy_back_entry_gone(low)
        os.symlink(target, low)
        return
    if not stat.S_ISREG(st.st_mode):
        return  # sockets, fifos, device nodes stay in L1
    if os.path.isdir(low) and not os.path.islink(low):
        copy_back_entry_gone(low)
    with open(up, "rb") as src, open(low, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    os.chmod(low, stat.S_IMODE(st.st_mode))
    os.utime(low, ns=(st.st_atime_ns, st.st_mtime_ns))


def copy_back_entry_gone(low):
    import shutil
    if os.path.isdir(low) and not os.path.islink(low):
        shutil.rmtree(low, ignore_errors=True)
    else:
        try:
            os.unlink(low)
        except OSError:
            pass


def copy_back():
    """What the command wrote in overlaid host directories (/tmp), written
    through to the host: new and changed files, deletions."""
    top = "/run/with-kvm-host"
    if not os.path.isdir(top):
        return
    for n in sorted(os.listdir(top)):
        h = os.path.join(top, n)
        try:
            with open(os.path.join(h, "path")) as f:
                path = f.read().strip()
            subprocess.run(["/bin/umount", "-l", path])
            up, low = os.path.join(h, "upper"), os.path.join(h, "lower")
            for name in os.listdir(up):
                try:
                    copy_back_entry(os.path.join(up, name),
                                    os.path.join(low, name))
                except OSError as e:
                    console("XML1 error copy back %s/%s: %s" %
                            (path, name, e))
        except OSError as e:
            console("XML1 error copy back %s: %s" % (h, e))


def main():
    rc = 125
    try:
        mounts()
        rc = run_command()
    except Exception as e:  # PID 1 must never die: report and power off
        console("XML1 error agent: %r" % (e,))
    try:
        os.kill(-1, signal.SIGTERM)
        time.sleep(0.2)
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    copy_back()
    try:
        with open(os.path.join(JOB, "rc.tmp"), "w") as f:
            f.write("%d\n" % rc)
        os.rename(os.path.join(JOB, "rc.tmp"), os.path.join(JOB, "rc"))
    except OSError as e:
        console("XML1 error cannot record the exit status: %s" % e)
    console("XMAGENT rc=%d" % rc)
    os.sync()
    ctypes.CDLL(None, use_errno=True).reboot(0x4321FEDC)  # RB_POWER_OFF
    time.sleep(5)


if __name__ == "__main__":
    main()
