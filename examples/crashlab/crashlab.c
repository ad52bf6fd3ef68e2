/*
 * crashlab.c — dumpdbg's own crash program.
 *
 * Behaves like a small Windows service: it starts two idle pool workers and a
 * heartbeat thread, names them, installs an unhandled-exception filter that
 * writes a minidump (as WER or procdump would), then runs one scenario.
 *
 *   crashlab.exe <scenario> <dump-path>
 *
 * Scenarios: null-deref, cpp-throw, threadpool-av, clr-exception, deadlock,
 * deadlock-cs, stack-overflow, div-zero, breakpoint.
 *
 * Build (x86_64 Windows, clang + lld, see build.sh):
 *   clang --target=x86_64-w64-mingw32 -O1 -g -gcodeview -fuse-ld=lld \
 *         -Wl,--pdb=crashlab.pdb -o crashlab.exe crashlab.c -ldbghelp
 *
 * Every function that should appear as its own frame is NOINLINE and keeps
 * its call (no tail calls), so the expected stacks in PROVENANCE.md hold.
 */
#include <windows.h>
#include <dbghelp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline, disable_tail_calls))

/* MiniDumpNormal | WithHandleData | WithThreadInfo | WithUnloadedModules.
 * Wine 8.0's dbghelp records these flags in the header but writes only the
 * streams it implements (no handle, thread-info or unloaded-module streams). */
#define CRASHLAB_DUMP_TYPE                                                    \
    ((MINIDUMP_TYPE)(MiniDumpNormal | MiniDumpWithHandleData |                \
                     MiniDumpWithThreadInfo | MiniDumpWithUnloadedModules))

static const char *g_dump_path;
static const char *g_scenario;

/* ------------------------------------------------------------------------ */
/* dump writing                                                              */
/* ------------------------------------------------------------------------ */

/* Writes a minidump of this process. `ep` may be NULL for a hang dump. */
static BOOL write_dump(EXCEPTION_POINTERS *ep, MINIDUMP_TYPE type)
{
    MINIDUMP_EXCEPTION_INFORMATION mei;
    HANDLE file;
    BOOL ok;

    file = CreateFileA(g_dump_path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                       CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "crashlab: cannot create %s (error %lu)\n",
                g_dump_path, GetLastError());
        return FALSE;
    }
    mei.ThreadId = GetCurrentThreadId();
    mei.ExceptionPointers = ep;
    mei.ClientPointers = FALSE;
    ok = MiniDumpWriteDump(GetCurrentProcess(), GetCurrentProcessId(), file,
                           type, ep ? &mei : NULL, NULL, NULL);
    CloseHandle(file);
    if (!ok)
        fprintf(stderr, "crashlab: MiniDumpWriteDump failed (error %lu)\n",
                GetLastError());
    return ok;
}

static LONG WINAPI crash_filter(EXCEPTION_POINTERS *ep)
{
    EXCEPTION_RECORD *rec = ep->ExceptionRecord;
    BOOL ok;

    ok = write_dump(ep, CRASHLAB_DUMP_TYPE);
    fprintf(stderr,
            "crashlab: scenario %s: exception 0x%08lX at %p on thread 0x%lx; "
            "dump %s %s\n",
            g_scenario, rec->ExceptionCode, rec->ExceptionAddress,
            GetCurrentThreadId(), g_dump_path, ok ? "written" : "FAILED");
    fflush(stderr);
    /* Terminate like an unhandled crash, without Wine's crash dialog. */
    TerminateProcess(GetCurrentProcess(), rec->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}

/* ------------------------------------------------------------------------ */
/* background threads of the "service"                                       */
/* ------------------------------------------------------------------------ */

typedef HRESULT(WINAPI *set_thread_description_fn)(HANDLE, PCWSTR);

/* SetThreadDescription is resolved at run time: older systems (and older
 * mingw-w64 import libraries) do not have it. */
static void name_thread(HANDLE thread, const wchar_t *name)
{
    static set_thread_description_fn set_desc;
    static BOOL resolved;

    if (!resolved) {
        HMODULE kb = GetModuleHandleA("kernelbase.dll");
        if (!kb)
            kb = GetModuleHandleA("kernel32.dll");
        if (kb)
            set_desc = (set_thread_description_fn)(void (*)(void))
                GetProcAddress(kb, "SetThreadDescription");
        resolved = TRUE;
    }
    if (set_desc)
        set_desc(thread, name);
}

static HANDLE g_shutdown_event;

/* An idle worker of the service's own pool: waits for work that never comes. */
static DWORD WINAPI pool_worker_main(void *arg)
{
    (void)arg;
    WaitForSingleObject(g_shutdown_event, INFINITE);
    return 0;
}

/* Heartbeat thread: wakes up every second and goes back to sleep. */
static DWORD WINAPI heartbeat_main(void *arg)
{
    volatile unsigned long beats = 0;
    (void)arg;
    for (;;) {
        Sleep(1000);
        beats++;
    }
    return 0;
}

static HANDLE start_thread_sized(LPTHREAD_START_ROUTINE fn, void *arg,
                                 const wchar_t *name, const char *label,
                                 SIZE_T stack_reserve)
{
    DWORD tid = 0;
    HANDLE h = CreateThread(NULL, stack_reserve, fn, arg,
                            STACK_SIZE_PARAM_IS_A_RESERVATION, &tid);
    if (!h) {
        fprintf(stderr, "crashlab: CreateThread(%s) failed (%lu)\n", label,
                GetLastError());
        ExitProcess(2);
    }
    name_thread(h, name);
    printf("crashlab: thread %-16s tid 0x%lx\n", label, tid);
    return h;
}

static HANDLE start_thread(LPTHREAD_START_ROUTINE fn, void *arg,
                           const wchar_t *name, const char *label)
{
    return start_thread_sized(fn, arg, name, label, 64 * 1024);
}

static void start_service_threads(void)
{
    HMODULE unloaded;

    g_shutdown_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    name_thread(GetCurrentThread(), L"main");
    printf("crashlab: thread %-16s tid 0x%lx\n", "main", GetCurrentThreadId());
    start_thread(pool_worker_main, (void *)0, L"pool-worker-0", "pool-worker-0");
    start_thread(pool_worker_main, (void *)1, L"pool-worker-1", "pool-worker-1");
    start_thread(heartbeat_main, NULL, L"heartbeat", "heartbeat");

    /* Load and unload a plug-in DLL, as services do: on Windows this shows up
     * in the UnloadedModuleList stream (Wine does not write that stream). */
    unloaded = LoadLibraryA("version.dll");
    if (unloaded)
        FreeLibrary(unloaded);
    Sleep(100); /* let the threads reach their waits */
}

/* ------------------------------------------------------------------------ */
/* null-deref: main -> handle_request -> lookup_customer -> read_field        */
/* ------------------------------------------------------------------------ */

struct customer {
    int id;
    int flags;
    const char *name;
    long long balance; /* offset 0x10 */
};

static struct customer g_customers[] = {
    {1001, 0, "Ada", 1200},
    {1002, 1, "Grace", 5400},
    {1003, 0, "Edsger", 300},
};

NOINLINE static long long read_field(const struct customer *record)
{
    return record->balance; /* record == NULL: read AV at 0x10 */
}

NOINLINE static struct customer *find_customer(int id)
{
    for (size_t i = 0; i < sizeof g_customers / sizeof g_customers[0]; i++)
        if (g_customers[i].id == id)
            return &g_customers[i];
    return NULL;
}

NOINLINE static long long lookup_customer(int id)
{
    struct customer *c = find_customer(id);
    long long balance = read_field(c);
    return balance;
}

NOINLINE static int handle_request(int customer_id)
{
    long long balance = lookup_customer(customer_id);
    printf("balance %lld\n", balance);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* cpp-throw: MSVC-style C++ exception (0xE06D7363) built by hand            */
/* ------------------------------------------------------------------------ */

/* The object MSVC's std::runtime_error has on x64: a vftable pointer, then
 * __std_exception_data { const char *_What; bool _DoFree; } (24 bytes). */
struct msvc_std_exception {
    const void *vftable;
    const char *what;
    unsigned char do_free;
};

/* Member functions the vftable and the EH metadata point to. They are never
 * called in this program; they exist so every RVA in the tables is real. */
NOINLINE const char *runtime_error_what(const struct msvc_std_exception *self)
{
    return self->what ? self->what : "Unknown exception";
}

NOINLINE void *runtime_error_deleting_dtor(struct msvc_std_exception *self,
                                           unsigned flags)
{
    (void)flags;
    self->what = NULL;
    return self;
}

NOINLINE void runtime_error_dtor(struct msvc_std_exception *self)
{
    self->what = NULL;
}

NOINLINE struct msvc_std_exception *
runtime_error_copy_ctor(struct msvc_std_exception *self,
                        const struct msvc_std_exception *other)
{
    *self = *other;
    self->do_free = 0;
    return self;
}

NOINLINE void *type_info_deleting_dtor(void *self, unsigned flags)
{
    (void)flags;
    return self;
}

/*
 * The EH and RTTI tables, in .rdata, with image-relative (.rva) references
 * exactly as MSVC emits them for x64, under MSVC's decorated symbol names so
 * the PDB's public symbols name them:
 *
 *   _TI2?AVruntime_error@std@@        ThrowInfo          (16 bytes)
 *   _CTA2?AVruntime_error@std@@       CatchableTypeArray (2 entries)
 *   _CT??_R0?AV...@8...24             CatchableType      (28 bytes each)
 *   ??_R0?AV...@8                     TypeDescriptor     (vftable, spare, name)
 *   ??_7runtime_error@std@@6B@        std::runtime_error vftable, preceded by
 *   ??_R4runtime_error@std@@6B@       its RTTI Complete Object Locator
 */
__asm__(
    "    .section .rdata,\"dr\"\n"
    "    .p2align 3\n"
    /* type_info's vftable (a single deleting destructor slot) */
    "    .globl \"??_7type_info@@6B@\"\n"
    "\"??_7type_info@@6B@\":\n"
    "    .quad type_info_deleting_dtor\n"

    /* TypeDescriptors: pVFTable, spare, decorated name (name at +16 on x64) */
    "    .p2align 3\n"
    "    .globl \"??_R0?AVruntime_error@std@@@8\"\n"
    "\"??_R0?AVruntime_error@std@@@8\":\n"
    "    .quad \"??_7type_info@@6B@\"\n"
    "    .quad 0\n"
    "    .asciz \".?AVruntime_error@std@@\"\n"
    "    .p2align 3\n"
    "    .globl \"??_R0?AVexception@std@@@8\"\n"
    "\"??_R0?AVexception@std@@@8\":\n"
    "    .quad \"??_7type_info@@6B@\"\n"
    "    .quad 0\n"
    "    .asciz \".?AVexception@std@@\"\n"

    /* CatchableType: properties, pType, PMD{mdisp,pdisp,vdisp}, size, copy */
    "    .p2align 2\n"
    "    .globl \"_CT??_R0?AVruntime_error@std@@@824\"\n"
    "\"_CT??_R0?AVruntime_error@std@@@824\":\n"
    "    .long 0\n"
    "    .rva \"??_R0?AVruntime_error@std@@@8\"\n"
    "    .long 0, -1, 0\n"
    "    .long 24\n"
    "    .rva runtime_error_copy_ctor\n"
    "    .globl \"_CT??_R0?AVexception@std@@@824\"\n"
    "\"_CT??_R0?AVexception@std@@@824\":\n"
    "    .long 0\n"
    "    .rva \"??_R0?AVexception@std@@@8\"\n"
    "    .long 0, -1, 0\n"
    "    .long 24\n"
    "    .rva runtime_error_copy_ctor\n"

    /* CatchableTypeArray: count, then most-derived type first */
    "    .globl \"_CTA2?AVruntime_error@std@@\"\n"
    "\"_CTA2?AVruntime_error@std@@\":\n"
    "    .long 2\n"
    "    .rva \"_CT??_R0?AVruntime_error@std@@@824\"\n"
    "    .rva \"_CT??_R0?AVexception@std@@@824\"\n"

    /* ThrowInfo: attributes, pmfnUnwind, pForwardCompat, pCatchableTypeArray */
    "    .globl \"_TI2?AVruntime_error@std@@\"\n"
    "\"_TI2?AVruntime_error@std@@\":\n"
    "    .long 0\n"
    "    .rva runtime_error_dtor\n"
    "    .long 0\n"
    "    .rva \"_CTA2?AVruntime_error@std@@\"\n"

    /* RTTI for the vftable: base class descriptors, hierarchy, locator */
    "    .globl \"??_R1A@?0A@EA@runtime_error@std@@8\"\n"
    "\"??_R1A@?0A@EA@runtime_error@std@@8\":\n"
    "    .rva \"??_R0?AVruntime_error@std@@@8\"\n"
    "    .long 1\n"            /* numContainedBases */
    "    .long 0, -1, 0\n"     /* PMD */
    "    .long 0x40\n"         /* attributes: BCD_HASPCHD */
    "    .rva \"??_R3runtime_error@std@@8\"\n"
    "    .globl \"??_R1A@?0A@EA@exception@std@@8\"\n"
    "\"??_R1A@?0A@EA@exception@std@@8\":\n"
    "    .rva \"??_R0?AVexception@std@@@8\"\n"
    "    .long 0\n"
    "    .long 0, -1, 0\n"
    "    .long 0x40\n"
    "    .rva \"??_R3exception@std@@8\"\n"
    "    .globl \"??_R2runtime_error@std@@8\"\n"
    "\"??_R2runtime_error@std@@8\":\n"
    "    .rva \"??_R1A@?0A@EA@runtime_error@std@@8\"\n"
    "    .rva \"??_R1A@?0A@EA@exception@std@@8\"\n"
    "    .long 0\n"
    "    .globl \"??_R2exception@std@@8\"\n"
    "\"??_R2exception@std@@8\":\n"
    "    .rva \"??_R1A@?0A@EA@exception@std@@8\"\n"
    "    .long 0\n"
    "    .globl \"??_R3runtime_error@std@@8\"\n"
    "\"??_R3runtime_error@std@@8\":\n"
    "    .long 0, 0, 2\n"      /* signature, attributes, numBaseClasses */
    "    .rva \"??_R2runtime_error@std@@8\"\n"
    "    .globl \"??_R3exception@std@@8\"\n"
    "\"??_R3exception@std@@8\":\n"
    "    .long 0, 0, 1\n"
    "    .rva \"??_R2exception@std@@8\"\n"
    "    .globl \"??_R4runtime_error@std@@6B@\"\n"
    "\"??_R4runtime_error@std@@6B@\":\n"
    "    .long 1, 0, 0\n"      /* signature 1 (x64), offset, cdOffset */
    "    .rva \"??_R0?AVruntime_error@std@@@8\"\n"
    "    .rva \"??_R3runtime_error@std@@8\"\n"
    "    .rva \"??_R4runtime_error@std@@6B@\"\n"  /* pSelf */

    /* vftable: the locator pointer sits just before slot 0 */
    "    .p2align 3\n"
    "    .quad \"??_R4runtime_error@std@@6B@\"\n"
    "    .globl \"??_7runtime_error@std@@6B@\"\n"
    "\"??_7runtime_error@std@@6B@\":\n"
    "    .quad runtime_error_deleting_dtor\n"
    "    .quad runtime_error_what\n"
    "    .text\n");

extern const unsigned char msvc_throw_info_runtime_error[] __asm__(
    "_TI2?AVruntime_error@std@@");
extern const void *const msvc_vftable_runtime_error[] __asm__(
    "??_7runtime_error@std@@6B@");
extern const IMAGE_DOS_HEADER __ImageBase;

#define EH_EXCEPTION_NUMBER 0xE06D7363u /* ('msc' | 0xE0000000) */
#define EH_MAGIC_NUMBER1 0x19930520u

static const char g_config_error[] =
    "configuration file is missing the [server] section";

/* What `throw std::runtime_error(msg)` compiles to with MSVC on x64: the
 * object lives in the thrower's frame and _CxxThrowException raises it. */
NOINLINE static void parse_request(const char *config_text)
{
    struct msvc_std_exception ex;
    ULONG_PTR args[4];

    if (strstr(config_text, "[server]") != NULL)
        return;
    ex.vftable = msvc_vftable_runtime_error;
    ex.what = g_config_error;
    ex.do_free = 0; /* _What points at a literal in .rdata */
    args[0] = EH_MAGIC_NUMBER1;
    args[1] = (ULONG_PTR)&ex;
    args[2] = (ULONG_PTR)msvc_throw_info_runtime_error;
    args[3] = (ULONG_PTR)&__ImageBase;
    RaiseException(EH_EXCEPTION_NUMBER, EXCEPTION_NONCONTINUABLE, 4, args);
    runtime_error_dtor(&ex);
}

NOINLINE static int load_configuration(void)
{
    static const char config_text[] = "[logging]\nlevel = debug\n";
    parse_request(config_text);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* threadpool-av: AV in a thread-pool I/O completion callback                */
/* ------------------------------------------------------------------------ */

struct session_handler {
    const char *name;
    void (*on_data)(const char *data, ULONG length);
};

struct session {
    unsigned long id;
    unsigned long state;
    const char *peer;
    const char *route;
    unsigned long long bytes;
    struct session_handler *handler; /* offset 0x20 */
};

static struct session g_sessions[4];

NOINLINE static struct session *find_session(unsigned long id)
{
    for (size_t i = 0; i < sizeof g_sessions / sizeof g_sessions[0]; i++)
        if (g_sessions[i].id == id && g_sessions[i].state != 0)
            return &g_sessions[i];
    return NULL;
}

NOINLINE static void dispatch_message(const char *data, ULONG length)
{
    unsigned long id = (unsigned long)strtoul(data, NULL, 10);
    struct session *s = find_session(id);
    /* s == NULL: read AV at 0x20 (session->handler) */
    s->handler->on_data(data, length);
}

struct pipe_io {
    OVERLAPPED ov;
    HANDLE server;
    char buffer[64];
};

static void CALLBACK on_io_complete(PTP_CALLBACK_INSTANCE instance,
                                    void *context, void *overlapped,
                                    ULONG result, ULONG_PTR bytes,
                                    PTP_IO io)
{
    struct pipe_io *pio = context;
    (void)instance;
    (void)overlapped;
    (void)io;
    if (result != NO_ERROR)
        return;
    pio->buffer[bytes < sizeof pio->buffer ? bytes : sizeof pio->buffer - 1] = 0;
    dispatch_message(pio->buffer, (ULONG)bytes);
}

NOINLINE static int serve_pipe(void)
{
    static struct pipe_io pio;
    static const char request[] = "42 GET /orders";
    char name[64];
    HANDLE client;
    PTP_IO io;
    DWORD written;

    snprintf(name, sizeof name, "\\\\.\\pipe\\dumpdbg-crashlab-%lu",
             GetCurrentProcessId());
    pio.server = CreateNamedPipeA(name, PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED,
                                  PIPE_TYPE_BYTE | PIPE_WAIT, 1, 4096, 4096, 0,
                                  NULL);
    if (pio.server == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "crashlab: CreateNamedPipe failed (%lu)\n", GetLastError());
        return 2;
    }
    client = CreateFileA(name, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (client == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "crashlab: pipe client failed (%lu)\n", GetLastError());
        return 2;
    }
    io = CreateThreadpoolIo(pio.server, on_io_complete, &pio, NULL);
    if (!io) {
        fprintf(stderr, "crashlab: CreateThreadpoolIo failed (%lu)\n", GetLastError());
        return 2;
    }
    StartThreadpoolIo(io);
    if (!ReadFile(pio.server, pio.buffer, sizeof pio.buffer - 1, NULL, &pio.ov) &&
        GetLastError() != ERROR_IO_PENDING) {
        fprintf(stderr, "crashlab: ReadFile failed (%lu)\n", GetLastError());
        CancelThreadpoolIo(io);
        return 2;
    }
    WriteFile(client, request, sizeof request - 1, &written, NULL);
    /* The main thread waits for requests; the pool thread crashes. */
    WaitForSingleObject(g_shutdown_event, 30000);
    fprintf(stderr, "crashlab: the I/O callback never crashed\n");
    return 3;
}

/* ------------------------------------------------------------------------ */
/* clr-exception: a CLR-style 0xE0434352 as a native debugger sees it        */
/* ------------------------------------------------------------------------ */

#define EXCEPTION_COMPLUS 0xE0434352u          /* 'CCR' | 0xE0000000 */
#define COR_E_INVALIDOPERATION 0x80131509u
/* Stands for coreclr.dll's base: no module is loaded there. */
#define FAKE_CLR_MODULE_BASE 0x00007FFB3C400000ull

NOINLINE static void raise_managed_exception(ULONG_PTR hresult)
{
    ULONG_PTR args[5];
    args[0] = hresult;
    args[1] = 0;
    args[2] = 0;
    args[3] = 0;
    args[4] = (ULONG_PTR)FAKE_CLR_MODULE_BASE;
    RaiseException(EXCEPTION_COMPLUS, EXCEPTION_NONCONTINUABLE, 5, args);
}

NOINLINE static int run_managed_job(void)
{
    raise_managed_exception(COR_E_INVALIDOPERATION);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* deadlock: two named mutexes taken in opposite orders                      */
/* ------------------------------------------------------------------------ */

struct lock_pair {
    HANDLE first, second;
    HANDLE holding; /* event set once `first` is held */
    HANDLE go;      /* event: both hold their first lock, now take the second */
};

static HANDLE g_orders_lock, g_inventory_lock;

NOINLINE static void take_both_mutexes(struct lock_pair *p)
{
    WaitForSingleObject(p->first, INFINITE);
    SetEvent(p->holding);
    WaitForSingleObject(p->go, INFINITE);
    WaitForSingleObject(p->second, INFINITE); /* never returns */
    ReleaseMutex(p->second);
    ReleaseMutex(p->first);
}

static DWORD WINAPI order_writer_main(void *arg)
{
    take_both_mutexes(arg);
    return 0;
}

static DWORD WINAPI inventory_sync_main(void *arg)
{
    take_both_mutexes(arg);
    return 0;
}

/* Gives two threads time to block, then checks that both are still stuck. */
static BOOL wait_until_blocked(HANDLE a, HANDLE b)
{
    HANDLE both[2] = {a, b};
    Sleep(500);
    return WaitForMultipleObjects(2, both, FALSE, 0) == WAIT_TIMEOUT;
}

NOINLINE static int run_deadlock(void)
{
    static struct lock_pair orders, inventory;
    HANDLE go, t1, t2;

    g_orders_lock = CreateMutexW(NULL, FALSE, L"dumpdbg-orders-lock");
    g_inventory_lock = CreateMutexW(NULL, FALSE, L"dumpdbg-inventory-lock");
    go = CreateEventW(NULL, TRUE, FALSE, NULL);
    orders.first = g_orders_lock;
    orders.second = g_inventory_lock;
    orders.holding = CreateEventW(NULL, TRUE, FALSE, NULL);
    orders.go = go;
    inventory.first = g_inventory_lock;
    inventory.second = g_orders_lock;
    inventory.holding = CreateEventW(NULL, TRUE, FALSE, NULL);
    inventory.go = go;

    t1 = start_thread(order_writer_main, &orders, L"order-writer", "order-writer");
    t2 = start_thread(inventory_sync_main, &inventory, L"inventory-sync",
                      "inventory-sync");
    WaitForSingleObject(orders.holding, INFINITE);
    WaitForSingleObject(inventory.holding, INFINITE);
    SetEvent(go);
    if (!wait_until_blocked(t1, t2)) {
        fprintf(stderr, "crashlab: the deadlock did not happen\n");
        return 3;
    }
    printf("crashlab: mutex handles orders=%p inventory=%p\n", g_orders_lock,
           g_inventory_lock);
    if (!write_dump(NULL, CRASHLAB_DUMP_TYPE))
        return 2;
    fprintf(stderr, "crashlab: scenario deadlock: hang dump %s written by thread 0x%lx\n",
            g_dump_path, GetCurrentThreadId());
    return 0;
}

/* ------------------------------------------------------------------------ */
/* deadlock-cs: two CRITICAL_SECTIONs taken in opposite orders               */
/* ------------------------------------------------------------------------ */

/* The locks live in the stack frame of a supervisor thread that waits for
 * its workers, so a mini dump (which captures thread stacks) includes the
 * CRITICAL_SECTION objects and their OwningThread fields. */
struct shipment_locks {
    CRITICAL_SECTION orders_cs;
    CRITICAL_SECTION inventory_cs;
};

struct cs_pair {
    CRITICAL_SECTION *first, *second;
    HANDLE holding, go;
};

static volatile struct shipment_locks *g_shipment_locks;
static HANDLE g_cs_workers_blocked; /* set once both workers started */
static HANDLE g_cs_workers[2];

NOINLINE static void take_both_sections(struct cs_pair *p)
{
    EnterCriticalSection(p->first);
    SetEvent(p->holding);
    WaitForSingleObject(p->go, INFINITE);
    EnterCriticalSection(p->second); /* never returns */
    LeaveCriticalSection(p->second);
    LeaveCriticalSection(p->first);
}

static DWORD WINAPI packer_main(void *arg)
{
    take_both_sections(arg);
    return 0;
}

static DWORD WINAPI restocker_main(void *arg)
{
    take_both_sections(arg);
    return 0;
}

NOINLINE static DWORD supervise_shipments(void)
{
    struct shipment_locks locks;
    struct cs_pair packer, restocker;
    HANDLE go = CreateEventW(NULL, TRUE, FALSE, NULL);

    InitializeCriticalSection(&locks.orders_cs);
    InitializeCriticalSection(&locks.inventory_cs);
    g_shipment_locks = &locks;
    packer.first = &locks.orders_cs;
    packer.second = &locks.inventory_cs;
    packer.holding = CreateEventW(NULL, TRUE, FALSE, NULL);
    packer.go = go;
    restocker.first = &locks.inventory_cs;
    restocker.second = &locks.orders_cs;
    restocker.holding = CreateEventW(NULL, TRUE, FALSE, NULL);
    restocker.go = go;

    g_cs_workers[0] = start_thread(packer_main, &packer, L"packer", "packer");
    g_cs_workers[1] = start_thread(restocker_main, &restocker, L"restocker",
                                   "restocker");
    WaitForSingleObject(packer.holding, INFINITE);
    WaitForSingleObject(restocker.holding, INFINITE);
    SetEvent(go);
    SetEvent(g_cs_workers_blocked);
    WaitForMultipleObjects(2, g_cs_workers, TRUE, INFINITE); /* never returns */
    DeleteCriticalSection(&locks.inventory_cs);
    DeleteCriticalSection(&locks.orders_cs);
    return 0;
}

static DWORD WINAPI supervisor_main(void *arg)
{
    (void)arg;
    return supervise_shipments();
}

NOINLINE static int run_deadlock_cs(void)
{
    g_cs_workers_blocked = CreateEventW(NULL, TRUE, FALSE, NULL);
    start_thread(supervisor_main, NULL, L"shipment-supervisor", "supervisor");
    WaitForSingleObject(g_cs_workers_blocked, INFINITE);
    if (!wait_until_blocked(g_cs_workers[0], g_cs_workers[1])) {
        fprintf(stderr, "crashlab: the deadlock did not happen\n");
        return 3;
    }
    printf("crashlab: orders_cs at %p (owner 0x%lx), inventory_cs at %p (owner 0x%lx)\n",
           (void *)&g_shipment_locks->orders_cs,
           (unsigned long)(ULONG_PTR)g_shipment_locks->orders_cs.OwningThread,
           (void *)&g_shipment_locks->inventory_cs,
           (unsigned long)(ULONG_PTR)g_shipment_locks->inventory_cs.OwningThread);
    if (!write_dump(NULL, CRASHLAB_DUMP_TYPE))
        return 2;
    fprintf(stderr, "crashlab: scenario deadlock-cs: hang dump %s written by thread 0x%lx\n",
            g_dump_path, GetCurrentThreadId());
    return 0;
}

/* ------------------------------------------------------------------------ */
/* stack-overflow, div-zero, breakpoint                                      */
/* ------------------------------------------------------------------------ */

NOINLINE static unsigned recurse(unsigned depth)
{
    volatile char frame[512]; /* every 64th byte is written: the whole
                                 buffer stays in the frame */
    for (unsigned i = 0; i < sizeof frame; i += 64)
        frame[i] = (char)(depth + i);
    return recurse(depth + 1) + frame[0] + frame[sizeof frame - 1];
}

static DWORD WINAPI request_worker_main(void *arg)
{
    (void)arg;
    return recurse(0);
}

/* The recursion runs on a worker thread asking for a 256 KB stack
 * reservation (Wine 8.0 rounds thread stacks up to 1 MB anyway). A process
 * cannot dump itself after a stack overflow under Wine: run this scenario
 * under dumper.exe, which writes the dump from outside. */
NOINLINE static int run_stack_overflow(void)
{
    HANDLE worker = start_thread_sized(request_worker_main, NULL,
                                       L"request-worker", "request-worker",
                                       256 * 1024);
    WaitForSingleObject(worker, 30000);
    fprintf(stderr, "crashlab: the worker did not overflow its stack\n");
    return 3;
}

NOINLINE static int divide(int total, int count)
{
    return total / count; /* count == 0: 0xC0000094 */
}

NOINLINE static int compute_average(const int *values, int count)
{
    int total = 0;
    for (int i = 0; i < count; i++)
        total += values[i];
    return divide(total, count);
}

NOINLINE static void check_invariants(int queued, int capacity)
{
    if (queued > capacity)
        DebugBreak(); /* 0x80000003 */
}

/* ------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: crashlab <scenario> <dump-path>\n"
            "scenarios: null-deref cpp-throw threadpool-av clr-exception deadlock\n"
            "           deadlock-cs stack-overflow div-zero breakpoint\n");
}

int main(int argc, char **argv)
{
    static volatile int zero_count = 0;
    static int samples[] = {3, 5, 8};

    if (argc < 3) {
        usage();
        return 1;
    }
    g_scenario = argv[1];
    g_dump_path = argv[2];
    setvbuf(stdout, NULL, _IONBF, 0);
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SetUnhandledExceptionFilter(crash_filter);
    printf("crashlab: pid 0x%lx scenario %s\n", GetCurrentProcessId(), g_scenario);
    start_service_threads();

    if (!strcmp(g_scenario, "null-deref"))
        return handle_request(4711);
    if (!strcmp(g_scenario, "cpp-throw"))
        return load_configuration();
    if (!strcmp(g_scenario, "threadpool-av"))
        return serve_pipe();
    if (!strcmp(g_scenario, "clr-exception"))
        return run_managed_job();
    if (!strcmp(g_scenario, "deadlock"))
        return run_deadlock();
    if (!strcmp(g_scenario, "deadlock-cs"))
        return run_deadlock_cs();
    if (!strcmp(g_scenario, "stack-overflow"))
        return run_stack_overflow();
    if (!strcmp(g_scenario, "div-zero"))
        return compute_average(samples, zero_count);
    if (!strcmp(g_scenario, "breakpoint")) {
        check_invariants(129, 128);
        return 0;
    }
    usage();
    return 1;
}
