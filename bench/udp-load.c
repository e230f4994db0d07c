/*
 * udp-load: the UDP side of bench/udpbench.py, in C so that the load generator and the echo backend are never
 * what is measured (a Python client tops out near the proxy's rate).
 *
 *   udp-load echo PORT                        echo every datagram back to its sender (127.0.0.1:PORT)
 *   udp-load load PORT CLIENTS SECONDS SIZE   CLIENTS sockets, each with one datagram in flight to
 *                                             127.0.0.1:PORT; prints "datagrams_per_s p50_us p99_us lost"
 *
 * A client that gets no reply within 200 ms sends again (UDP may drop): counted as lost.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000000000u + t.tv_nsec;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int echo(int port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = loopback(port);
    int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (bind(fd, (struct sockaddr *) &a, sizeof a) < 0) {
        perror("bind");
        return 1;
    }
    char buffer[65536];
    for (;;) {
        struct sockaddr_storage from;
        socklen_t length = sizeof from;
        ssize_t n = recvfrom(fd, buffer, sizeof buffer, 0, (struct sockaddr *) &from, &length);
        if (n >= 0) {
            sendto(fd, buffer, n, 0, (struct sockaddr *) &from, length);
        }
    }
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
    return x < y ? -1 : x > y;
}

static int load(int port, int clients, double seconds, int size) {
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int *fds = calloc(clients, sizeof *fds);
    uint64_t *sent = calloc(clients, sizeof *sent);
    size_t capacity = 1 << 22, count = 0;
    uint64_t *latencies = malloc(capacity * sizeof *latencies);
    char payload[65536];
    memset(payload, 'x', sizeof payload);
    struct sockaddr_in to = loopback(port);
    for (int i = 0; i < clients; i++) {
        fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (connect(fds[i], (struct sockaddr *) &to, sizeof to) < 0) {
            perror("connect");
            return 1;
        }
        struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e);
    }
    uint64_t start = now_ns(), end = start + (uint64_t) (seconds * 1e9);
    long lost = 0;
    for (int i = 0; i < clients; i++) {
        sent[i] = now_ns();
        send(fds[i], payload, size, 0);
    }
    struct epoll_event events[256];
    char buffer[65536];
    for (;;) {
        uint64_t t = now_ns();
        if (t >= end) {
            break;
        }
        int n = epoll_wait(ep, events, 256, 10);
        t = now_ns();
        for (int k = 0; k < n; k++) {
            int i = events[k].data.u32;
            while (recv(fds[i], buffer, sizeof buffer, 0) >= 0) {
                t = now_ns();
                if (count < capacity) {
                    latencies[count] = t - sent[i];
                }
                count++;
                sent[i] = t;
                send(fds[i], payload, size, 0);
            }
        }
        t = now_ns();
        for (int i = 0; i < clients; i++) {
            if (t - sent[i] > 200000000u) {
                lost++;
                sent[i] = t;
                send(fds[i], payload, size, 0);
            }
        }
    }
    double elapsed = (now_ns() - start) / 1e9;
    size_t kept = count < capacity ? count : capacity;
    qsort(latencies, kept, sizeof *latencies, compare);
    double p50 = kept ? latencies[kept / 2] / 1e3 : 0, p99 = kept ? latencies[kept * 99 / 100] / 1e3 : 0;
    printf("%.0f %.1f %.1f %ld\n", count / elapsed, p50, p99, lost);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "echo") == 0) {
        return echo(atoi(argv[2]));
    }
    if (argc == 6 && strcmp(argv[1], "load") == 0) {
        return load(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    }
    fprintf(stderr, "usage: udp-load echo PORT | udp-load load PORT CLIENTS SECONDS SIZE\n");
    return 2;
}
