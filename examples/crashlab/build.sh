#!/usr/bin/env bash
# Rebuilds crashlab.exe, dumper.exe, their PDBs, every example dump and its
# oracle text, from scratch:
#
#   examples/crashlab/build.sh            # everything
#   examples/crashlab/build.sh null-deref # one scenario (still rebuilds the exe)
#
# Needs: clang + lld (x86_64-w64-mingw32 target), mingw-w64 headers/libs,
# wine64 (Wine 8.0), lldb-14 (+ python3-lldb-14) and python3 for the oracles.
# Writes to examples/dumps (or $CRASHLAB_OUT). Uses its own Wine prefix
# (CRASHLAB_WINEPREFIX, default /tmp/wineprefix-crashlab, created if missing)
# and build directory (/tmp/dumpdbg-crashlab-build). The build is reproducible
# (/Brepro, fixed object and PDB paths): rebuilding gives byte-identical
# crashlab.exe and crashlab.pdb, so committed dumps keep matching them.
# Dumps differ run to run (time stamps, heap and stack addresses, thread ids).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT="${CRASHLAB_OUT:-$REPO/examples/dumps}"   # override to try a build elsewhere
BUILD=/tmp/dumpdbg-crashlab-build
export WINEPREFIX="${CRASHLAB_WINEPREFIX:-/tmp/wineprefix-crashlab}"
export WINEDEBUG=-all WINEARCH=win64
WINE_DLLS=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
RUN_DIR="$WINEPREFIX/drive_c/dumpdbg"     # seen by Windows as C:\dumpdbg
LLDB_PY=$(ls -d /usr/lib/llvm-14/lib/python3*/dist-packages 2>/dev/null | head -n1 || true)

ALL_SCENARIOS=(null-deref cpp-throw threadpool-av clr-exception deadlock deadlock-cs
               stack-overflow div-zero breakpoint)
if [ $# -gt 0 ]; then SCENARIOS=("$@"); else SCENARIOS=("${ALL_SCENARIOS[@]}"); fi

say() { printf 'build.sh: %s\n' "$*"; }

# --------------------------------------------------------------------------
# 1. compile (clang for x86_64 Windows, CodeView in a PDB, linked by lld)
# --------------------------------------------------------------------------
GCC_LIB=$(ls -d /usr/lib/gcc/x86_64-w64-mingw32/*-win32 2>/dev/null | head -n1 || true)
[ -n "$GCC_LIB" ] || GCC_LIB=$(ls -d /usr/lib/gcc/x86_64-w64-mingw32/* | head -n1)
CFLAGS=(--target=x86_64-w64-mingw32 -O1 -g -gcodeview -Wall -Wextra
        -Wno-infinite-recursion "-fdebug-compilation-dir=C:\\src\\crashlab")
LDFLAGS=(--target=x86_64-w64-mingw32 -fuse-ld=lld "-L$GCC_LIB" -Xlinker /Brepro)

rm -rf "$BUILD"
mkdir -p "$BUILD"
for prog in crashlab dumper; do
    # Compiled from $HERE with a relative file name, so the PDB names the
    # source C:\src\crashlab\<prog>.c wherever the repository lives.
    (cd "$HERE" && clang "${CFLAGS[@]}" -c -o "$BUILD/$prog.o" "$prog.c")
    clang "${LDFLAGS[@]}" "-Wl,--pdb=$BUILD/$prog.pdb" -Xlinker "/pdbaltpath:$prog.pdb" \
          -o "$BUILD/$prog.exe" "$BUILD/$prog.o" -ldbghelp
    say "built $BUILD/$prog.exe ($(stat -c %s "$BUILD/$prog.exe") bytes) + $prog.pdb"
done

# --------------------------------------------------------------------------
# 2. run the scenarios under Wine
# --------------------------------------------------------------------------
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    say "initialising Wine prefix $WINEPREFIX"
    timeout 300 wine wineboot -i >/dev/null 2>&1
fi
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR" "$OUT"
cp "$BUILD"/crashlab.exe "$BUILD"/crashlab.pdb "$BUILD"/dumper.exe "$BUILD"/dumper.pdb "$RUN_DIR/"
cp "$BUILD"/crashlab.exe "$BUILD"/crashlab.pdb "$OUT/"   # dumper.exe is not referenced by any dump

run_scenario() {
    local s=$1 rc=0
    cd "$RUN_DIR"
    rm -f "$s.dmp" "$s.log"
    if [ "$s" = stack-overflow ]; then
        # A stack overflow cannot be dumped from inside the process under Wine:
        # dumper.exe debugs crashlab.exe and writes the dump on the
        # first-chance 0xC00000FD.
        timeout 120 wine dumper.exe "$s.dmp" crashlab.exe "$s" unused.dmp >"$s.log" 2>&1 || rc=$?
    else
        timeout 120 wine crashlab.exe "$s" "$s.dmp" >"$s.log" 2>&1 || rc=$?
    fi
    echo "exit status: $rc" >>"$s.log"
    cd - >/dev/null
    if [ ! -s "$RUN_DIR/$s.dmp" ]; then
        say "FAILED: $s wrote no dump"; cat "$RUN_DIR/$s.log"; return 1
    fi
}

# --------------------------------------------------------------------------
# 3. oracles: what independent tools say about each dump
# --------------------------------------------------------------------------
lldb_oracle() {
    local dmp=$1
    PYTHONPATH="$LLDB_PY" timeout 120 lldb --batch \
        -o "settings set target.exec-search-paths $RUN_DIR $WINE_DLLS" \
        -o "target create --core $dmp" \
        -o "target symbols add $RUN_DIR/crashlab.pdb" \
        -o "image list" \
        -o "thread list" \
        -o "thread backtrace all -c 16" 2>&1
}

winedbg_oracle() {
    local dmp=$1
    # winedbg prints the exception thread's registers, stack and backtrace
    # when it opens a dump; "info share" lists the modules it loaded.
    (cd "$RUN_DIR" && printf 'info share\nquit\n' | timeout 120 wine winedbg "$dmp" 2>&1)
}

write_oracle() {
    local s=$1 o="$OUT/$s.oracle.txt"
    {
        echo "# Oracle for examples/dumps/$s.dmp (written by examples/crashlab/build.sh)"
        echo "# $(wine --version), $(clang --version | head -n1), $(PYTHONPATH="$LLDB_PY" lldb --version | head -n1)"
        echo
        echo "## crashlab run output (stdout+stderr)"
        sed 's/\r$//' "$RUN_DIR/$s.log"
        echo
        # CRITICAL_SECTION addresses come from crashlab's own log line.
        local cs_args=()
        for a in $(grep -o '_cs at [0-9A-Fa-f]*' "$RUN_DIR/$s.log" | awk '{print $3}'); do
            cs_args+=(--cs "$a")
        done
        echo "## stream summary (python3 examples/crashlab/mdsummary.py $s.dmp --image crashlab.exe ${cs_args[*]:-})"
        python3 "$HERE/mdsummary.py" "$RUN_DIR/$s.dmp" --image "$RUN_DIR/crashlab.exe" "${cs_args[@]}"
        echo
        echo "## lldb (exe + PDB + Wine's PE DLLs on the search path)"
        lldb_oracle "$RUN_DIR/$s.dmp" | sed "s|$RUN_DIR|<RUN_DIR>|g; s|\r$||"
        echo
        echo "## winedbg $s.dmp (in C:\\dumpdbg, next to crashlab.exe and crashlab.pdb)"
        winedbg_oracle "$s.dmp" | sed 's/\r$//'
    } >"$o"
}

for s in "${SCENARIOS[@]}"; do
    say "scenario $s"
    run_scenario "$s"
    cp "$RUN_DIR/$s.dmp" "$OUT/$s.dmp"
    write_oracle "$s"
    say "wrote $OUT/$s.dmp ($(stat -c %s "$OUT/$s.dmp") bytes) and $s.oracle.txt"
done

# Stop this prefix's wineserver (only ours: WINEPREFIX is set).
wineserver -k 2>/dev/null || true
say "done; $(du -sh "$OUT" | cut -f1) in $OUT"
