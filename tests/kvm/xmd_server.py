#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""xmd_server.py: xmd's XML-RPC server without booting anything (no root,
no /dev/kvm needed): node info, Domain-0, faults and their codes, wrong
parameters, HTTP errors, hostile requests, managed domains and their
records across kill -9, a second xmd on the same root; then an xmd on a
host without KVM (XMHV_KVM_DEVICE points at nothing): it runs and says
why, list and info work, a create reports a wrong kernel or ramdisk as
such and otherwise the missing device, through xm too. TAP output."""
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xmd_daemon as T  # noqa: E402  (helpers: Daemon, domain_xml, ok)
import xmharness as H  # noqa: E402

ok = T.ok


def fault_code(fn, *args):
    try:
        fn(*args)
    except xmlrpc.client.Fault as e:
        return e.faultCode
    return None


def raw_http(sock, data):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return out.decode("utf-8", "replace")


def run(body_fn, prefix, env=None):
    root = tempfile.mkdtemp(prefix=prefix)
    d = T.Daemon(root, env)
    try:
        body_fn(d, root)
    except Exception:
        import traceback
        ok(False, "the test ran to its end", traceback.format_exc())
    finally:
        d.stop()
        H.kill_monitors(root)
        shutil.rmtree(root, ignore_errors=True)


def main():
    if not os.path.exists(T.XMD):
        T.skip_all("xmd is not built (%s)" % T.XMD)
    run(body, "xmd-server-")
    nokvm = os.path.join(tempfile.gettempdir(), "xmd-server-no-kvm-device")
    run(lambda d, root: no_kvm(d, root, nokvm), "xmd-nokvm-",
        {"XMHV_KVM_DEVICE": nokvm})
    return H.plan()


def fault(fn, *args):
    """(code, message) of the fault fn raises, or (None, None)."""
    try:
        fn(*args)
    except xmlrpc.client.Fault as e:
        return e.faultCode, e.faultString
    return None, None


def no_kvm(d, root, nokvm):
    if not ok(d.start(), "xmd starts on a host without a KVM device"):
        print("Bail out! %s" % open(os.path.join(root, "xmd.out")).read())
        sys.exit(1)
    rpc = d.rpc()
    lines = [x for x in d.logtext().splitlines() if nokvm in x]
    ok(len(lines) == 1 and "this host has no %s (" % nokvm in lines[0] and
       "modprobe kvm_intel" in lines[0] and "xmd runs on" in lines[0],
       "one start-up line names the missing device and the fix", lines)
    info = rpc.xend.node.info()
    ok(len(rpc.xend.domains(False)) == 1 and "nr_cpus" in info,
       "list and info work without KVM")
    ok(info["virt_caps"] == "" and info["xen_caps"] == "xen-3.0-x86_64",
       "no KVM: virt_caps is empty, xen_caps has no hvm entry", info)
    p = subprocess.run([H.XM, "info"], capture_output=True, text=True,
                       env=dict(os.environ, XMD_ROOT=root), timeout=60)
    ok(p.returncode == 0 and "\nvirt_caps              : \n" in p.stdout,
       "xm info prints virt_caps empty, as xm on a host without HVM",
       p.stdout + p.stderr)
    code, msg = fault(rpc.xend.domain.create,
                      T.domain_xml("k1", kernel="/nonexistent/vmlinuz"), False)
    ok(code == 1 and msg == "domain k1: kernel /nonexistent/vmlinuz: No such "
       "file or directory", "a missing kernel is reported by key and path, "
       "not as the missing device", msg)
    text = os.path.join(root, "notes.txt")
    with open(text, "w") as f:
        f.write("not a kernel\n" * 200)
    code, msg = fault(rpc.xend.domain.create,
                      T.domain_xml("k2", kernel=text), False)
    ok(code == 1 and msg and msg.startswith(
        "domain k2: kernel %s: not a kernel (" % text),
       "a file that is not a kernel is reported as such", msg)
    code, msg = fault(rpc.xend.domain.create,
                      T.domain_xml("k3", initrd="/nonexistent/initrd"), False)
    ok(code == 1 and msg == "domain k3: ramdisk /nonexistent/initrd: No such "
       "file or directory", "a missing ramdisk is reported by key and path",
       msg)
    # Domain XML from another client gets xm create's refusals, by key:
    # an HVM guest with Xen's firmware loader and no disk needs an
    # emulated PC.
    hvm = T.domain_xml("k6", kernel="/usr/lib/xen/boot/hvmloader").replace("<type machine='xenpv'>linux</type>",
                                     "<type machine='xenfv'>hvm</type>")
    code, msg = fault(rpc.xend.domain.create, hvm, False)
    ok(code == 1 and msg and msg.startswith("domain k6: ") and
       "hvm" in msg.lower() and "emulated PC" in msg,
       "domain XML of an HVM guest only an emulated PC can run is "
       "refused as xm create refuses it", msg)
    if not os.path.exists(T.XMHV) or not os.path.exists(T.KERNEL):
        H.skip("a good config meets the missing device", "xmhv or the test "
               "guest is not built")
    else:
        code, msg = fault(rpc.xend.domain.create, T.domain_xml("k4"), False)
        ok(code == 1 and msg and msg.startswith("this host has no %s (" % nokvm)
           and "scripts/with-kvm" in msg,
           "a good config meets the missing device: xmhv's message", msg)
    ok(len(rpc.xend.domains(False)) == 1 and not T.records(root) and
       not glob.glob(os.path.join(root, "run", "xmd", "dom", "*.sock")),
       "nothing left of the failed creates")
    cfg = os.path.join(root, "k5.cfg")
    with open(cfg, "w") as f:
        f.write("kernel = '/nonexistent/vmlinuz'\nmemory = 32\n")
    p = subprocess.run([H.XM, "create", cfg], capture_output=True, text=True,
                       env=dict(os.environ, XMD_ROOT=root), timeout=60)
    ok(p.returncode == 1 and errors(p.stderr) == "Error: domain k5.cfg: "
       "kernel /nonexistent/vmlinuz: No such file or directory\n",
       "xm create: the error names the domain, the key and the file",
       p.stderr)
    demo_copies(root)


def errors(stderr):
    """stderr without xm's informational "Note:" lines (console=ttyS0
    added, the disks' virtio names)."""
    return "".join(line for line in stderr.splitlines(True)
                   if not line.startswith("Note: "))


def demo_copies(root):
    """The source tree's demo config names the installed test guest: its
    dry run and its create say which copy to use; the build tree's copy
    names the build's kernel."""
    src = os.path.join(H.top_srcdir, "examples", "etc-xen", "demo")
    build = os.path.join(H.top_builddir, "examples", "etc-xen", "demo")
    env = dict(os.environ, XMD_ROOT=root)
    with open(src) as f:
        text = f.read()
    kernel = re.search(r'^kernel = "(.*)"$', text, re.M).group(1)
    above = text[:text.index("\nkernel = ")].split("\n\n")[-1]
    ok("make install" in above and
       "_build/demo/examples/etc-xen/demo" in above and
       "BUILDDIR/examples/etc-xen/demo" in above,
       "the comment above kernel = says which copy to use", above)
    if os.path.exists(kernel):
        H.skip("the source tree's demo: dry run and create", "%s is "
               "installed on this host" % kernel)
        H.skip(None, "the test guest is installed")
        return
    hint = ("the test guest is there only after `make install`; from a "
            "source tree use a build tree's copy of the config")
    p = subprocess.run([H.XM, "create", "-n", src], capture_output=True,
                       text=True, env=env, timeout=60)
    ok(p.returncode == 0 and "Note: kernel %s does not exist: %s" %
       (kernel, hint) in p.stderr and
       "_build/demo/examples/etc-xen/demo" in p.stderr,
       "the source tree's demo, dry run: a note on which copy to use",
       p.stderr)
    p = subprocess.run([H.XM, "create", src], capture_output=True, text=True,
                       env=env, timeout=60)
    ok(p.returncode == 1 and errors(p.stderr).startswith(
        "Error: domain demo: kernel %s: No such file or directory (%s" %
        (kernel, hint)) and "BUILDDIR/examples/etc-xen/demo" in p.stderr,
       "the source tree's demo, create: the key, the file and which copy "
       "to use", p.stderr)
    if os.path.realpath(build) == os.path.realpath(src):
        H.skip("the build tree's demo", "a build inside the source tree")
        return
    p = subprocess.run([H.XM, "create", "-n", build], capture_output=True,
                       text=True, env=env, timeout=60)
    ok(p.returncode == 0 and "(kernel %s)" % os.path.join(
        os.path.realpath(H.top_builddir), "tests", "guest", "guest.bzImage")
       in p.stdout and "Note: kernel" not in p.stderr,
       "the build tree's demo names the build's kernel, no note on it",
       p.stdout + p.stderr)


def body(d, root):
    if not ok(d.start(), "xmd starts as this user on --root"):
        print("Bail out! %s" % open(os.path.join(root, "xmd.out")).read())
        sys.exit(1)
    rpc = d.rpc()
    kvm = [x for x in d.logtext().splitlines() if "/dev/kvm" in x]
    usable = os.access("/dev/kvm", os.R_OK | os.W_OK)
    ok(len(kvm) == 1 and ("/dev/kvm: usable" in kvm[0]) == usable,
       "one start-up line says whether /dev/kvm is usable (%s)"
       % ("it is" if usable else "it is not"), kvm)
    st = os.stat(d.sock)
    ok(st.st_mode & 0o777 == 0o660, "socket mode 0660")
    info = rpc.xend.node.info()
    keys = ("host release version machine nr_cpus nr_nodes cores_per_socket "
            "threads_per_core cpu_mhz hw_caps total_memory free_memory "
            "xen_major xen_minor xen_extra xen_caps").split()
    ok(all(k in info for k in keys), "xend.node.info has xm info's keys",
       [k for k in keys if k not in info])
    ok(info.get("virt_caps") == ("hvm" if usable else "") and
       ("hvm-3.0-x86_64" in info.get("xen_caps", "")) == usable,
       "virt_caps and xen_caps say what this host has", info)
    doms = rpc.xend.domains(False)
    ok(len(doms) == 1 and doms[0]["name"] == "Domain-0" and
       doms[0]["memory"] == info["total_memory"] and
       doms[0]["vcpus"] == info["nr_cpus"],
       "xend.domains: only Domain-0, the host's memory and CPUs", doms)
    ok(rpc.xend.domain("0")["name"] == "Domain-0" and
       rpc.xend.domain("Domain-0")["domid"] == 0, "xend.domain of Domain-0")
    ok(fault_code(rpc.xend.domain, "nosuch") == 3, "missing domain: fault 3")
    ok(fault_code(rpc.xend.domain.destroy, "Domain-0") == 6,
       "destroying Domain-0: fault 6")
    ok(fault_code(rpc.xend.nosuch) == 1, "unknown method: fault 1")
    ok(fault_code(rpc.xend.domain, 5) == 6, "wrong parameter type: fault 6")
    ok(fault_code(rpc.xend.domain.create, "<domain/>", False) == 6,
       "invalid domain XML: fault 6")
    ok(fault_code(rpc.xend.domain.create,
                  T.domain_xml("k", kernel="/nonexistent/k"), False) == 1,
       "create with a missing kernel: fault 1")
    ok(len(rpc.xend.domains(False)) == 1 and not T.records(root),
       "nothing left of the failed create")
    ok("xmd" in rpc.xend.node.log(), "xend.node.log")

    out = raw_http(d.sock, b"GET /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n")
    ok(out.startswith("HTTP/1.1 405"), "GET: 405", out[:80])
    out = raw_http(d.sock, b"POST /other HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    ok(out.startswith("HTTP/1.1 404"), "wrong path: 404", out[:80])
    out = raw_http(d.sock, b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n")
    ok(out.startswith("HTTP/1.1 411"), "no Content-Length: 411", out[:80])
    out = raw_http(d.sock, b"POST /RPC2 HTTP/1.1\r\nX: " + b"a" * 9000
                   + b"\r\n\r\n")
    ok(out.startswith("HTTP/1.1 431"), "huge header: 431", out[:80])
    out = raw_http(d.sock, b"POST /RPC2 HTTP/1.1\r\nContent-Length: "
                   b"99999999999\r\n\r\n")
    ok("faultCode" in out and "limit" in out,
       "announced oversized body: a fault before reading it", out[-200:])
    status, text = d.raw("<?xml version='1.0'?><!DOCTYPE x SYSTEM "
                         "'file:///etc/passwd'><methodCall><methodName>"
                         "xend.node.info</methodName></methodCall>")
    ok("faultCode" in text and "root:" not in text,
       "external DTD: a fault, nothing read", text[:200])

    # Managed domains need no hypervisor until started.
    r = rpc.xend.domain.new(T.domain_xml("m1"))
    ok(r["name"] == "m1" and len(T.records(root)) == 1,
       "xend.domain.new stores a record")
    ok(fault_code(rpc.xend.domain.new, T.domain_xml("m1")) == 4,
       "a second m1: fault 4")
    d.kill9()
    ok(d.start(), "xmd restarts after kill -9")
    rpc = d.rpc()
    m1 = {x["name"]: x for x in rpc.xend.domains(False, True)}.get("m1")
    ok(m1 and m1["domid"] == -1 and m1["managed"] and
       m1["state"] == "------" and m1["uuid"] == r["uuid"],
       "the managed domain survives, stopped, same uuid", m1)
    ok(rpc.xend.domain.delete("m1") == 0 and not T.records(root),
       "xend.domain.delete removes its record")
    rpc.xend.domain.new(T.domain_xml("m2", kernel="/nonexistent/k"))
    ok(fault_code(rpc.xend.domain.start, "m2", False) == 1,
       "starting a managed domain with a missing kernel: fault 1")
    d.kill9()
    ok(d.start(), "xmd restarts after kill -9")
    rpc = d.rpc()
    m2 = {x["name"]: x for x in rpc.xend.domains(False, True)}.get("m2")
    ok(m2 and m2["domid"] == -1 and len(T.records(root)) == 1,
       "the failed start leaves it stopped and recorded", m2)
    rpc.xend.domain.delete("m2")

    p = subprocess.run([T.XMD, "--root", root, "-d"], capture_output=True,
                       text=True, timeout=30)
    ok(p.returncode != 0 and "another xmd" in p.stderr,
       "a second xmd on the same root refuses to start", p.stderr[-200:])
    p = subprocess.run([T.XMD, "--help"], capture_output=True, text=True)
    ok(p.returncode == 0 and "-d, --foreground" in p.stdout and
       "--root" in p.stdout, "--help mentions -d and --root")


if __name__ == "__main__":
    sys.exit(main())
