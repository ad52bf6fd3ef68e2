/*
 * dumper.c — a tiny out-of-process dump writer in the spirit of procdump -e.
 *
 *   dumper.exe [-c CODE] <dump-path> <program> [args...]
 *
 * Starts <program> under the Win32 debugging API (DEBUG_ONLY_THIS_PROCESS)
 * and writes a minidump of it with MiniDumpWriteDump when
 *   - a first-chance exception whose code is CODE occurs (default
 *     0xC00000FD, STATUS_STACK_OVERFLOW), or
 *   - any exception is second-chance (unhandled).
 * The debuggee is then terminated with the exception code.
 *
 * Why: a process whose stack overflowed cannot reliably write its own dump
 * (Wine 8.0 kills it while dispatching the exception on the exhausted stack),
 * so the dump has to come from another process, as on Windows with WER or
 * procdump.
 *
 * The exception information is passed with ClientPointers = FALSE: the
 * EXCEPTION_POINTERS, EXCEPTION_RECORD and CONTEXT live in this process and
 * are built from the debug event and GetThreadContext on the faulting thread.
 */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMPER_DUMP_TYPE                                                      \
    ((MINIDUMP_TYPE)(MiniDumpNormal | MiniDumpWithHandleData |                \
                     MiniDumpWithThreadInfo | MiniDumpWithUnloadedModules))

#define MAX_THREADS 256

struct debuggee {
    HANDLE process;
    DWORD pid;
    DWORD tids[MAX_THREADS];
    HANDLE threads[MAX_THREADS];
    int nthreads;
};

static void add_thread(struct debuggee *d, DWORD tid, HANDLE h)
{
    if (d->nthreads < MAX_THREADS) {
        d->tids[d->nthreads] = tid;
        d->threads[d->nthreads] = h;
        d->nthreads++;
    }
}

static void remove_thread(struct debuggee *d, DWORD tid)
{
    for (int i = 0; i < d->nthreads; i++) {
        if (d->tids[i] == tid) {
            d->nthreads--;
            d->tids[i] = d->tids[d->nthreads];
            d->threads[i] = d->threads[d->nthreads];
            return;
        }
    }
}

static HANDLE find_thread(const struct debuggee *d, DWORD tid)
{
    for (int i = 0; i < d->nthreads; i++)
        if (d->tids[i] == tid)
            return d->threads[i];
    return NULL;
}

/* Builds a command line from argv[first..], quoting arguments with spaces. */
static char *join_args(int argc, char **argv, int first)
{
    size_t len = 1;
    char *s;
    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 3;
    s = malloc(len);
    if (!s)
        return NULL;
    s[0] = 0;
    for (int i = first; i < argc; i++) {
        int quote = strchr(argv[i], ' ') != NULL;
        if (i > first)
            strcat(s, " ");
        if (quote)
            strcat(s, "\"");
        strcat(s, argv[i]);
        if (quote)
            strcat(s, "\"");
    }
    return s;
}

static BOOL write_dump(const struct debuggee *d, const char *path,
                       const DEBUG_EVENT *ev)
{
    static CONTEXT ctx; /* 16-byte aligned, large: keep it off the stack */
    EXCEPTION_RECORD record = ev->u.Exception.ExceptionRecord;
    EXCEPTION_POINTERS pointers;
    MINIDUMP_EXCEPTION_INFORMATION mei;
    HANDLE thread = find_thread(d, ev->dwThreadId);
    HANDLE file;
    BOOL ok;

    if (!thread) {
        fprintf(stderr, "dumper: no handle for thread 0x%lx\n", ev->dwThreadId);
        return FALSE;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.ContextFlags = CONTEXT_ALL;
    if (!GetThreadContext(thread, &ctx)) {
        fprintf(stderr, "dumper: GetThreadContext failed (%lu)\n", GetLastError());
        return FALSE;
    }
    pointers.ExceptionRecord = &record;
    pointers.ContextRecord = &ctx;
    mei.ThreadId = ev->dwThreadId;
    mei.ExceptionPointers = &pointers;
    mei.ClientPointers = FALSE;

    file = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                       CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "dumper: cannot create %s (%lu)\n", path, GetLastError());
        return FALSE;
    }
    ok = MiniDumpWriteDump(d->process, d->pid, file, DUMPER_DUMP_TYPE, &mei,
                           NULL, NULL);
    if (!ok)
        fprintf(stderr, "dumper: MiniDumpWriteDump failed (%lu)\n", GetLastError());
    CloseHandle(file);
    fprintf(stderr,
            "dumper: exception 0x%08lX (%s chance) at %p on thread 0x%lx, "
            "rip %p rsp %p; dump %s %s\n",
            record.ExceptionCode, ev->u.Exception.dwFirstChance ? "first" : "second",
            record.ExceptionAddress, ev->dwThreadId, (void *)ctx.Rip,
            (void *)ctx.Rsp, path, ok ? "written" : "FAILED");
    return ok;
}

int main(int argc, char **argv)
{
    DWORD trigger = 0xC00000FDu; /* STATUS_STACK_OVERFLOW */
    const char *dump_path;
    struct debuggee d;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    char *cmdline;
    int argi = 1;
    int exit_code = 1;
    BOOL dumped = FALSE, done = FALSE;

    if (argi + 1 < argc && !strcmp(argv[argi], "-c")) {
        trigger = (DWORD)strtoul(argv[argi + 1], NULL, 0);
        argi += 2;
    }
    if (argc - argi < 2) {
        fprintf(stderr, "usage: dumper [-c CODE] <dump-path> <program> [args...]\n");
        return 2;
    }
    dump_path = argv[argi];
    cmdline = join_args(argc, argv, argi + 1);

    memset(&d, 0, sizeof d);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessA(NULL, cmdline, NULL, NULL, FALSE, DEBUG_ONLY_THIS_PROCESS,
                        NULL, NULL, &si, &pi)) {
        fprintf(stderr, "dumper: CreateProcess(%s) failed (%lu)\n", cmdline,
                GetLastError());
        return 2;
    }
    d.pid = pi.dwProcessId;

    while (!done) {
        DEBUG_EVENT ev;
        DWORD status = DBG_CONTINUE;

        if (!WaitForDebugEvent(&ev, 60000)) {
            fprintf(stderr, "dumper: WaitForDebugEvent failed (%lu)\n", GetLastError());
            TerminateProcess(pi.hProcess, 1);
            break;
        }
        switch (ev.dwDebugEventCode) {
        case CREATE_PROCESS_DEBUG_EVENT:
            d.process = ev.u.CreateProcessInfo.hProcess;
            add_thread(&d, ev.dwThreadId, ev.u.CreateProcessInfo.hThread);
            if (ev.u.CreateProcessInfo.hFile)
                CloseHandle(ev.u.CreateProcessInfo.hFile);
            break;
        case CREATE_THREAD_DEBUG_EVENT:
            add_thread(&d, ev.dwThreadId, ev.u.CreateThread.hThread);
            break;
        case EXIT_THREAD_DEBUG_EVENT:
            remove_thread(&d, ev.dwThreadId);
            break;
        case LOAD_DLL_DEBUG_EVENT:
            if (ev.u.LoadDll.hFile)
                CloseHandle(ev.u.LoadDll.hFile);
            break;
        case EXCEPTION_DEBUG_EVENT: {
            DWORD code = ev.u.Exception.ExceptionRecord.ExceptionCode;
            BOOL first = ev.u.Exception.dwFirstChance != 0;
            if (!dumped && (!first || code == trigger)) {
                dumped = write_dump(&d, dump_path, &ev);
                exit_code = dumped ? 0 : 1;
                TerminateProcess(d.process, code);
            } else if (code == EXCEPTION_BREAKPOINT && first) {
                status = DBG_CONTINUE; /* the loader's initial breakpoint */
                break;
            }
            status = DBG_EXCEPTION_NOT_HANDLED;
            break;
        }
        case EXIT_PROCESS_DEBUG_EVENT:
            fprintf(stderr, "dumper: process 0x%lx exited with 0x%lx\n", d.pid,
                    ev.u.ExitProcess.dwExitCode);
            done = TRUE;
            break;
        default:
            break;
        }
        ContinueDebugEvent(ev.dwProcessId, ev.dwThreadId, status);
    }
    if (!dumped)
        fprintf(stderr, "dumper: no dump written\n");
    return exit_code;
}
