/*
 * spawn-floor: the least a socket manager that forks its services can do, as an anchor for bench/activation-bench.
 *
 *     spawn-floor PORT PROGRAM [ARG...]
 *
 * Listens on 127.0.0.1:PORT. On each connection waiting: vfork, the listening socket as fd 3 with LISTEN_FDS=1 and
 * the child's own LISTEN_PID, exec PROGRAM; wait for it; print "done" on stdout; listen again. No state, journal,
 * limits or job: what is left is the wake-up, the fork and the exec. systemd-socket-activate execs the service in
 * its own place instead, which a manager of many sockets cannot do (systemd forks its services from PID 1 too):
 * sockactd / spawn-floor is the daemon's own cost, spawn-floor / systemd-socket-activate what forking costs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: spawn-floor PORT PROGRAM [ARG...]\n");
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(argv[1])) };
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0
            || bind(listener, (struct sockaddr *) &address, sizeof address) != 0 || listen(listener, 128) != 0) {
        perror("spawn-floor: listen");
        return 1;
    }
    /* fd 3 in the child, without a dup2 there when it is 3 already. */
    if (listener != 3 && (dup2(listener, 3) != 3 || close(listener) != 0)) {
        perror("spawn-floor: dup2");
        return 1;
    }
    static char listen_pid[32];
    char *environment[] = { "PATH=/usr/bin:/bin", "LISTEN_FDS=1", listen_pid, NULL };
    for (;;) {
        struct pollfd ready = { .fd = 3, .events = POLLIN };
        if (poll(&ready, 1, -1) < 0) {
            perror("spawn-floor: poll");
            return 1;
        }
        pid_t child = vfork();
        if (child == 0) {
            /* In our memory until the exec: only a buffer of our own, then exec or _exit. */
            snprintf(listen_pid, sizeof listen_pid, "LISTEN_PID=%d", (int) getpid());
            execve(argv[2], argv + 2, environment);
            _exit(127);
        }
        int status;
        if (child < 0 || waitpid(child, &status, 0) != child) {
            perror("spawn-floor: spawn");
            return 1;
        }
        printf("done %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        fflush(stdout);
    }
}
