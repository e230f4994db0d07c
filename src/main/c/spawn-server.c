/*
 * sockactd's spawn server: starts services for the daemon, from a process small enough to fork cheaply.
 *
 * Why it exists: posix_spawn from the JVM costs 0.6-5 ms (the JVM's large, busy address space: its vfork child
 * waits behind the JVM's threads), and only a second exec (the LISTEN_PID trampoline) can give the child its own
 * pid in LISTEN_PID. Here the child is a vfork of a process of a few hundred KiB, it writes LISTEN_PID itself, and
 * execs once. CLONE_PARENT makes the child sockactd's, not ours: sockactd watches and reaps it as any child it
 * spawned itself.
 *
 * Protocol, on fd 3 (a SOCK_SEQPACKET socket; sockactd holds the other end; see SpawnServer.java, which writes it):
 * one request per message, native byte order:
 *   u32 version (1), u32 flags, u32 pass_count, u32 argc, u32 envc,
 *   then NUL-terminated strings: program, working directory ("" for none), argv[argc], envp[envc];
 *   SCM_RIGHTS: stdin, stdout, stderr (those flagged present), then pass_count fds for 3, 4, ...
 * One reply per request: i32 pid (0 if no child was made), i32 errno (0: the program was exec'd). A child whose exec
 * failed has exited with 127 and is left to sockactd to reap. End of file on fd 3: sockactd is gone; so are we.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CONTROL_FD 3
#define VERSION 1
#define FLAG_LISTEN_PID 0x1u
#define FLAG_LISTEN_PIDFDID 0x2u
#define FLAG_NEW_PROCESS_GROUP 0x4u
#define FLAG_STDIN 0x8u
#define FLAG_STDOUT 0x10u
#define FLAG_STDERR 0x20u

/* Bounds, which SpawnServer.java keeps too (a larger request is spawned by sockactd itself). */
#define MAX_REQUEST (192 * 1024)
#define MAX_FDS 253                 /* SCM_MAX_FD */
#define MAX_STRINGS 8192

struct request {
    uint32_t flags;
    const char *program;
    const char *directory;          /* NULL: stay where we are */
    char **argv;
    char **envp;                    /* two leading slots for LISTEN_PID and LISTEN_PIDFDID */
    int stdio[3];                   /* -1: keep ours, which are sockactd's */
    int *pass;
    unsigned pass_count;
    int error;                      /* set by the child when a step or the exec fails */
};

static char message[MAX_REQUEST];
static char *strings[MAX_STRINGS + 3];
static int received[MAX_FDS];
static char listen_pid[sizeof "LISTEN_PID=" + 20];
static char listen_pidfdid[sizeof "LISTEN_PIDFDID=" + 20];
/* The child's stack: it runs in our memory (CLONE_VM) while we wait for its exec (CLONE_VFORK). */
static char child_stack[64 * 1024] __attribute__((aligned(16)));

static void decimal(char *out, unsigned long long value) {
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char) ('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) {
        *out++ = digits[--n];
    }
    *out = '\0';
}

/* In the child, in our memory: only system calls and our own buffers, then exec or _exit. Signals need nothing:
 * ours are all at their defaults and none is blocked (main), and the child inherits that. */
static int child(void *argument) {
    struct request *r = argument;
    if ((r->flags & FLAG_NEW_PROCESS_GROUP) && setpgid(0, 0) != 0) {
        goto fail;
    }
    /* Every source above every target first, so that placing one never overwrites another still to be placed.
     * The numbers are the child's own from here on: kept on its stack, not in the request the server still reads. */
    int first_free = 3 + (int) r->pass_count;
    int stdio[3];
    int pass[MAX_FDS];
    for (int i = 0; i < 3; i++) {
        stdio[i] = r->stdio[i];
        if (stdio[i] >= 0 && stdio[i] < first_free && (stdio[i] = fcntl(stdio[i], F_DUPFD, first_free)) < 0) {
            goto fail;
        }
    }
    for (unsigned i = 0; i < r->pass_count; i++) {
        pass[i] = r->pass[i];
        if (pass[i] < first_free && (pass[i] = fcntl(pass[i], F_DUPFD, first_free)) < 0) {
            goto fail;
        }
    }
    for (int i = 0; i < 3; i++) {
        if (stdio[i] >= 0 && dup2(stdio[i], i) < 0) {
            goto fail;
        }
    }
    for (unsigned i = 0; i < r->pass_count; i++) {
        if (dup2(pass[i], 3 + (int) i) < 0) {
            goto fail;
        }
    }
    if (syscall(SYS_close_range, (unsigned) first_free, ~0u, 0) != 0) {
        goto fail;
    }
    if (r->directory != NULL && chdir(r->directory) != 0) {
        goto fail;
    }
    char **envp = r->envp + 2;
    if (r->flags & FLAG_LISTEN_PIDFDID) {
        int pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
        struct stat st;
        if (pidfd >= 0 && fstat(pidfd, &st) == 0) {
            memcpy(listen_pidfdid, "LISTEN_PIDFDID=", 15);
            decimal(listen_pidfdid + 15, (unsigned long long) st.st_ino);
            *--envp = listen_pidfdid;
        }
        if (pidfd >= 0) {
            close(pidfd);
        }
    }
    if (r->flags & FLAG_LISTEN_PID) {
        memcpy(listen_pid, "LISTEN_PID=", 11);
        decimal(listen_pid + 11, (unsigned long long) getpid());
        *--envp = listen_pid;
    }
    execve(r->program, r->argv, envp);
fail:
    r->error = errno;
    _exit(127);
}

/* The next NUL-terminated string of the message, or NULL when the message ends first. */
static char *next_string(char **cursor, char *end) {
    char *s = *cursor;
    char *nul = memchr(s, '\0', (size_t) (end - s));
    if (nul == NULL) {
        return NULL;
    }
    *cursor = nul + 1;
    return s;
}

/* Fills r from a message of length bytes; 0, or the errno to reply with. */
static int parse(struct request *r, ssize_t length, int fd_count) {
    if (length < 20) {
        return EINVAL;
    }
    uint32_t header[5];
    memcpy(header, message, sizeof header);
    uint32_t flags = header[1], pass_count = header[2], argc = header[3], envc = header[4];
    unsigned stdio_count = !!(flags & FLAG_STDIN) + !!(flags & FLAG_STDOUT) + !!(flags & FLAG_STDERR);
    if (header[0] != VERSION || argc == 0 || argc + envc > MAX_STRINGS || pass_count > MAX_FDS
            || (unsigned) fd_count != stdio_count + pass_count) {
        return EINVAL;
    }
    char *cursor = message + sizeof header, *end = message + length;
    r->flags = flags;
    r->program = next_string(&cursor, end);
    r->directory = next_string(&cursor, end);
    if (r->program == NULL || r->directory == NULL) {
        return EINVAL;
    }
    if (r->directory[0] == '\0') {
        r->directory = NULL;
    }
    /* strings: argv, NULL, two free slots, envp, NULL. */
    r->argv = strings;
    r->envp = strings + argc + 1;
    for (uint32_t i = 0; i < argc; i++) {
        if ((r->argv[i] = next_string(&cursor, end)) == NULL) {
            return EINVAL;
        }
    }
    r->argv[argc] = NULL;
    for (uint32_t i = 0; i < envc; i++) {
        if ((r->envp[2 + i] = next_string(&cursor, end)) == NULL) {
            return EINVAL;
        }
    }
    r->envp[2 + envc] = NULL;
    int next = 0;
    r->stdio[0] = (flags & FLAG_STDIN) ? received[next++] : -1;
    r->stdio[1] = (flags & FLAG_STDOUT) ? received[next++] : -1;
    r->stdio[2] = (flags & FLAG_STDERR) ? received[next++] : -1;
    r->pass = received + next;
    r->pass_count = pass_count;
    return 0;
}

/* Every signal at its default and none blocked, for us and so for every child. glibc's posix_spawn, which started
 * us, leaves its two internal signals ignored, and sigaction() refuses to touch them: the system call does not. */
static void default_signals(void) {
    struct {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        uint64_t mask;
    } dfl = { SIG_DFL, 0, NULL, 0 };
    for (int sig = 1; sig <= 64; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

int main(void) {
    default_signals();
    /* Named in ps and /proc/PID/comm (exec'd through /proc/PID/fd/N, it would be called "N"). */
    prctl(PR_SET_NAME, "sockact-spawn");
    /* No PR_SET_PDEATHSIG: it fires when the thread that spawned us ends, not sockactd. sockactd's exit, however
     * it dies, closes its end of fd 3, and end of file ends us. */
    for (;;) {
        struct iovec iov = { message, sizeof message };
        union {
            struct cmsghdr header;
            char space[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        } control;
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control };
        ssize_t length = recvmsg(CONTROL_FD, &msg, MSG_CMSG_CLOEXEC);
        if (length == 0) {
            return 0;
        }
        if (length < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 1;
        }
        int fd_count = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                int n = (int) ((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
                if (fd_count + n <= MAX_FDS) {
                    memcpy(received + fd_count, CMSG_DATA(c), sizeof(int) * (size_t) n);
                    fd_count += n;
                } else {
                    for (int i = 0; i < n; i++) {
                        close(((int *) CMSG_DATA(c))[i]);
                    }
                }
            }
        }
        struct request r = { 0 };
        int32_t reply[2] = { 0, 0 };
        int error = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ? E2BIG : parse(&r, length, fd_count);
        if (error != 0) {
            reply[1] = error;
        } else {
            pid_t pid = clone(child, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD, &r);
            reply[0] = pid < 0 ? 0 : pid;
            reply[1] = pid < 0 ? errno : r.error;
        }
        for (int i = 0; i < fd_count; i++) {
            close(received[i]);
        }
        while (send(CONTROL_FD, reply, sizeof reply, MSG_NOSIGNAL) < 0) {
            if (errno != EINTR) {
                return 1;
            }
        }
    }
}
