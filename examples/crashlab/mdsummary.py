#!/usr/bin/env python3
"""Independent minidump summary for the crashlab oracles (x64 dumps only).

    mdsummary.py DUMP [--image PE]... [--cs ADDR]...

Prints the stream directory, system info, threads (with RIP/RSP/RBP from their
contexts), modules, a memory-list digest, misc info and the exception stream.
With --image (crashlab.exe), a 0xE06D7363 exception is decoded the MSVC way
(ThrowInfo -> CatchableTypeArray -> CatchableType -> TypeDescriptor, all RVAs
relative to parameter 3) using the image file, and the thrown object is read
from dump memory. --cs ADDR decodes an RTL_CRITICAL_SECTION from dump memory.

Written for build.sh from the published layouts (MINIDUMP_* structures, PE/COFF,
MSVC EH data); it shares no code with dumpdbg, so it can serve as a cross-check.
"""
import struct
import sys

STREAM_NAMES = {
    0: "Unused", 3: "ThreadList", 4: "ModuleList", 5: "MemoryList", 6: "Exception",
    7: "SystemInfo", 9: "Memory64List", 12: "HandleData", 14: "UnloadedModuleList",
    15: "MiscInfo", 16: "MemoryInfoList", 17: "ThreadInfoList", 24: "ThreadNames",
    0xFFF0: "Wine ELF module list (private)",
}


class Dump:
    def __init__(self, data):
        self.d = data
        sig, ver, n, dir_rva, _cks, ts, flags = struct.unpack_from("<IIIIIIQ", data, 0)
        if sig != 0x504D444D:
            raise SystemExit("not a minidump")
        self.version, self.time, self.flags = ver, ts, flags
        self.streams = []
        for i in range(n):
            t, size, rva = struct.unpack_from("<III", data, dir_rva + 12 * i)
            self.streams.append((t, size, rva))
        self.memory = []
        for t, size, rva in self.streams:
            if t == 5:
                (cnt,) = struct.unpack_from("<I", data, rva)
                for j in range(cnt):
                    start, msize, mrva = struct.unpack_from("<QII", data, rva + 4 + 16 * j)
                    self.memory.append((start, msize, mrva))

    def stream(self, kind):
        for t, size, rva in self.streams:
            if t == kind:
                return size, rva
        return None

    def read(self, addr, size):
        for start, msize, mrva in self.memory:
            if start <= addr and addr + size <= start + msize:
                off = mrva + (addr - start)
                return self.d[off:off + size]
        return None

    def string(self, rva):
        (length,) = struct.unpack_from("<I", self.d, rva)
        return self.d[rva + 4:rva + 4 + length].decode("utf-16le")


def context_regs(d, rva, size):
    if size < 0x4D0:
        return None
    rsp, rbp = struct.unpack_from("<QQ", d, rva + 0x98)  # CONTEXT.Rsp, Rbp
    (rip,) = struct.unpack_from("<Q", d, rva + 0xF8)      # CONTEXT.Rip
    return rip, rsp, rbp


class PeImage:
    def __init__(self, path):
        self.d = open(path, "rb").read()
        (pe,) = struct.unpack_from("<I", self.d, 0x3C)
        nsec, = struct.unpack_from("<H", self.d, pe + 6)
        opt_size, = struct.unpack_from("<H", self.d, pe + 20)
        self.image_base, = struct.unpack_from("<Q", self.d, pe + 24 + 24)
        self.sections = []
        sec = pe + 24 + opt_size
        for i in range(nsec):
            name = self.d[sec + 40 * i:sec + 40 * i + 8].rstrip(b"\0").decode()
            vsize, va, rawsize, rawptr = struct.unpack_from("<IIII", self.d, sec + 40 * i + 8)
            self.sections.append((name, va, max(vsize, rawsize), rawptr, rawsize))

    def at_rva(self, rva, size):
        for _name, va, vsize, rawptr, rawsize in self.sections:
            if va <= rva < va + vsize and rva + size <= va + rawsize:
                return self.d[rawptr + rva - va:rawptr + rva - va + size]
        return None

    def cstring_at_rva(self, rva):
        out = b""
        while True:
            chunk = self.at_rva(rva + len(out), 1)
            if not chunk or chunk == b"\0":
                return out.decode("latin-1")
            out += chunk


def decode_cxx(dump, params, image):
    magic, obj, throw_info, base = params[:4]
    print(f"  C++ EH: magic {magic:#x} object {obj:#x} ThrowInfo {throw_info:#x} image base {base:#x}")
    ti_rva = throw_info - base
    ti = image.at_rva(ti_rva, 16)
    if ti is None:
        print("  ThrowInfo not in the image")
        return
    attrs, unwind, fwd, cta_rva = struct.unpack("<IIII", ti)
    print(f"  ThrowInfo @rva {ti_rva:#x}: attributes {attrs:#x} pmfnUnwind {unwind:#x} "
          f"pForwardCompat {fwd:#x} pCatchableTypeArray {cta_rva:#x}")
    (count,) = struct.unpack("<I", image.at_rva(cta_rva, 4))
    for i in range(count):
        (ct_rva,) = struct.unpack("<I", image.at_rva(cta_rva + 4 + 4 * i, 4))
        props, td_rva, mdisp, pdisp, vdisp, size, copy = struct.unpack("<IIiiiiI", image.at_rva(ct_rva, 28))
        name = image.cstring_at_rva(td_rva + 16)
        print(f"  CatchableType[{i}] @rva {ct_rva:#x}: properties {props:#x} type {name} "
              f"this {mdisp},{pdisp},{vdisp} size {size} copy {copy:#x}")
    raw = dump.read(obj, 24)
    if raw is None:
        print("  thrown object not captured in the dump")
        return
    vft, what, flag = struct.unpack("<QQB", raw[:17])
    text = image.cstring_at_rva(what - base) if what else None
    print(f"  object: vftable {vft:#x} (rva {vft - base:#x}) what {what:#x} doFree {flag} -> {text!r}")


def decode_cs(dump, addr):
    raw = dump.read(addr, 40)
    if raw is None:
        print(f"  CRITICAL_SECTION {addr:#x}: not captured")
        return
    debug_info, lock_count, recursion, owner, semaphore, spin = struct.unpack("<QiiQQQ", raw)
    print(f"  CRITICAL_SECTION {addr:#x}: DebugInfo {debug_info:#x} LockCount {lock_count} "
          f"RecursionCount {recursion} OwningThread {owner:#x} LockSemaphore {semaphore:#x} "
          f"SpinCount {spin:#x}")


def main(argv):
    images, cs, paths = [], [], []
    i = 0
    while i < len(argv):
        if argv[i] == "--image":
            images.append(PeImage(argv[i + 1])); i += 2
        elif argv[i] == "--cs":
            cs.append(int(argv[i + 1], 16)); i += 2
        else:
            paths.append(argv[i]); i += 1
    dump = Dump(open(paths[0], "rb").read())
    d = dump.d
    print(f"size {len(d)} bytes, version {dump.version:#x}, flags {dump.flags:#x}, "
          f"time_date_stamp {dump.time}")
    print("streams:", ", ".join(f"{t:#x} {STREAM_NAMES.get(t, '?')} ({size} B)"
                                for t, size, _ in dump.streams if t))
    s = dump.stream(7)
    if s:
        arch, level, rev, ncpu, ptype, major, minor, build, plat = struct.unpack_from("<HHHBBIIII", d, s[1])
        print(f"system: arch {arch} cpus {ncpu} windows {major}.{minor}.{build} platform {plat}")
    s = dump.stream(15)
    if s:
        size_of, flags1, pid = struct.unpack_from("<III", d, s[1])
        print(f"misc: size {size_of} flags1 {flags1:#x} pid {pid:#x}")
    s = dump.stream(3)
    if s:
        (cnt,) = struct.unpack_from("<I", d, s[1])
        print(f"threads: {cnt}")
        for j in range(cnt):
            tid, susp, pcls, prio, teb, st, ssz, _srva, csz, crva = struct.unpack_from("<IIIIQQIIII", d, s[1] + 4 + 48 * j)
            regs = context_regs(d, crva, csz)
            ctx = (f"rip {regs[0]:#x} rsp {regs[1]:#x} rbp {regs[2]:#x}" if regs
                   else f"context size {csz} (none)")
            print(f"  [{j}] tid {tid:#x} teb {teb:#x} suspend {susp} stack {st:#x}+{ssz:#x} {ctx}")
    s = dump.stream(4)
    if s:
        (cnt,) = struct.unpack_from("<I", d, s[1])
        print(f"modules: {cnt}")
        for j in range(cnt):
            base, size, cks, ts, name_rva = struct.unpack_from("<QIIII", d, s[1] + 4 + 108 * j)
            cv_size, cv_rva = struct.unpack_from("<II", d, s[1] + 4 + 108 * j + 76)
            print(f"  {base:#018x} {size:#09x} ts {ts:#010x} cv {cv_size} {dump.string(name_rva)}")
    s = dump.stream(0xFFF0)
    if s:
        # Wine's private stream: a MINIDUMP_MODULE_LIST of the host (ELF) modules.
        (cnt,) = struct.unpack_from("<I", d, s[1])
        print(f"wine host modules (0xfff0): {cnt}")
        for j in range(cnt):
            base, size, _cks, _ts, name_rva = struct.unpack_from("<QIIII", d, s[1] + 4 + 108 * j)
            print(f"  {base:#018x} {size:#09x} {dump.string(name_rva)}")
    if dump.memory:
        big = [(a, n) for a, n, _ in dump.memory if n >= 256]
        print(f"memory: {len(dump.memory)} ranges, {sum(n for _, n, _ in dump.memory)} bytes; "
              f"ranges of 256+ bytes:")
        for a, n in big:
            print(f"  {a:#018x} {n:#x}")
    s = dump.stream(6)
    if s:
        tid, _align, code, flags, rec, addr, np = struct.unpack_from("<IIIIQQI", d, s[1])
        params = struct.unpack_from(f"<{np}Q", d, s[1] + 40) if np else ()
        csz, crva = struct.unpack_from("<II", d, s[1] + 160)
        regs = context_regs(d, crva, csz)
        print(f"exception: thread {tid:#x} code {code:#010x} flags {flags:#x} address {addr:#x} "
              f"params [{', '.join(f'{p:#x}' for p in params)}]")
        if regs:
            print(f"  context rip {regs[0]:#x} rsp {regs[1]:#x} rbp {regs[2]:#x}")
        if code == 0xE06D7363 and images and np >= 4:
            decode_cxx(dump, params, images[0])
    else:
        print("exception: none (hang dump)")
    for addr in cs:
        decode_cs(dump, addr)


if __name__ == "__main__":
    main(sys.argv[1:])
