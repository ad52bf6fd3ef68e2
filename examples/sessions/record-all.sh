#!/bin/sh
# Re-records every transcript in this folder (after an intended output change):
#   npm run build && sh examples/sessions/record-all.sh && git diff examples/sessions
# Review the diff: it is exactly what `dumpdbg --replay examples/sessions/` would report.
set -e
cd "$(dirname "$0")/../.."
R="node dist/src/cli/bin.cjs -y examples/dumps -i examples/dumps"
$R --record examples/sessions/lesson-null-deref.wds -z examples/dumps/null-deref.dmp -c ".lesson null-deref; .exr -1; .ecxr; kn 4; .answer read_field; q" >/dev/null 2>&1
$R --record examples/sessions/lesson-threadpool-av.wds -z examples/dumps/threadpool-av.dmp -c ".lesson threadpool-av; ~; .exr -1; .ecxr; kn 2; .answer dispatch_message; q" >/dev/null 2>&1
$R --record examples/sessions/lesson-stack-overflow.wds -z examples/dumps/stack-overflow.dmp -c ".lesson stack-overflow; .exr -1; .ecxr; kn 10; .hint; .answer recurse; q" >/dev/null 2>&1
$R --record examples/sessions/lesson-div-zero.wds -z examples/dumps/div-zero.dmp -c ".lesson div-zero; .exr -1; .ecxr; kn 2; .answer idiv; .hint; .answer r8d; q" >/dev/null 2>&1
$R --record examples/sessions/explain-null-deref.wds -z examples/dumps/null-deref.dmp -c ".explain on; .exr -1; .ecxr; kn 4; ~; q" >/dev/null 2>&1
$R --record examples/sessions/triage-div-zero.wds -z examples/dumps/div-zero.dmp -c ".exr -1; .ecxr; kn 3; ~; ~1s; .lastevent; q" >/dev/null 2>&1
$R --record examples/sessions/triage-cpp-throw.wds -z examples/dumps/cpp-throw.dmp -c ".exr -1; .ecxr; kn 2; q" >/dev/null 2>&1
$R --record examples/sessions/script-div-zero.wds -z examples/dumps/div-zero.dmp -c '$$<examples/sessions/triage-script.txt; $$>a<examples/sessions/show-thread.txt 0; q' >/dev/null 2>&1
