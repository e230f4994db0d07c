/*
 * sockact-standby: a service's next main process, waiting for its socket's activation (see Standby.java).
 *
 *     sockact-standby FD PROGRAM ARGV0 [ARG...]
 *
 * sockactd spawns it as it would spawn PROGRAM (the same environment, stdio, sockets at 3..., process group and
 * directory) with one more descriptor, FD, the end of a socket pair whose other end sockactd keeps. It waits for a
 * byte on FD, then execs PROGRAM in its own place with ARGV0 [ARG...] and its environment: the same pid, so
 * LISTEN_PID and LISTEN_PIDFDID hold. FD is closed by that exec. If the exec fails it writes the errno (a native
 * int) on FD and exits with 127, as a shell does; at end of file on FD (sockactd let it go, or is gone) it exits
 * with 0.
 *
 * No libc, built static: the exec at the activation tears down this process's memory, and a page or two of it cost
 * nothing to tear down where a libc's mappings take 0.1 ms (bench/RESULTS-activation.md, session 18).
 */
#define PR_SET_NAME 15
#define F_SETFD 2
#define FD_CLOEXEC 1
#define EINTR 4

#if defined(__x86_64__)
#define SYS_read 0
#define SYS_write 1
#define SYS_execve 59
#define SYS_fcntl 72
#define SYS_prctl 157
#define SYS_exit_group 231

__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "    xor %rbp, %rbp\n"
        "    mov %rsp, %rdi\n"
        "    and $-16, %rsp\n"
        "    call standby_main\n"
        "    hlt\n");

static long sys3(long number, long a, long b, long c) {
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
}
#elif defined(__aarch64__)
#define SYS_read 63
#define SYS_write 64
#define SYS_execve 221
#define SYS_fcntl 25
#define SYS_prctl 167
#define SYS_exit_group 94

__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "    mov x29, #0\n"
        "    mov x0, sp\n"
        "    bl standby_main\n");

static long sys3(long number, long a, long b, long c) {
    register long x8 __asm__("x8") = number;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
#else
#error "sockact-standby: x86_64 and aarch64 only (sockactd then spawns at each activation)"
#endif

__attribute__((noreturn)) static void exit_group(int status) {
    for (;;) {
        sys3(SYS_exit_group, status, 0, 0);
    }
}

__attribute__((noreturn, used)) void standby_main(long *stack) {
    long argc = stack[0];
    char **argv = (char **) (stack + 1);
    char **envp = argv + argc + 1;
    if (argc < 4) {
        exit_group(2);
    }
    long fd = 0;
    for (const char *digit = argv[1]; *digit != '\0'; digit++) {
        if (*digit < '0' || *digit > '9') {
            exit_group(2);
        }
        fd = fd * 10 + (*digit - '0');
    }
    sys3(SYS_prctl, PR_SET_NAME, (long) "sockact-standby", 0);   /* exec'd through /proc/PID/fd/N: named "N" */
    char byte;
    long n;
    while ((n = sys3(SYS_read, fd, (long) &byte, 1)) == -EINTR) {
    }
    if (n != 1) {
        exit_group(0);
    }
    sys3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
    int error = (int) -sys3(SYS_execve, (long) argv[2], (long) (argv + 3), (long) envp);
    sys3(SYS_write, fd, (long) &error, sizeof error);
    exit_group(127);
}
