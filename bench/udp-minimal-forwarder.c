/*
 * udp-minimal-forwarder: the least a user-space UDP forwarder can do per datagram on this machine, as a yardstick
 * for bench/udpbench.py (not a tool: no limits, no expiry, no errors reported).
 *
 *   udp-minimal-forwarder LISTEN_PORT TARGET_PORT THREADS     (127.0.0.1 on both sides)
 *
 * Each thread listens on its own SO_REUSEPORT member, keeps one connected socket towards the target per client
 * (so the target sees one peer per client, as socket-proxyd's sessions do), reads the clients with recvmmsg(2) and
 * sends all the replies one epoll_wait(2) brought with one sendmmsg(2).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define SESSIONS 65536   /* open addressing; a bench run has far fewer clients */
#define FDS (1 << 20)
#define LISTENER UINT64_MAX

static int listen_port, target_port;

struct session {
    struct sockaddr_in peer;
    int fd;
    int used;
};

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static void *forward(void *unused) {
    int one = 1, listener = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in here = loopback(listen_port), target = loopback(target_port);
    if (bind(listener, (struct sockaddr *) &here, sizeof here) != 0) {
        perror("bind");
        exit(1);
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = LISTENER};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    struct session *table = calloc(SESSIONS, sizeof *table);
    struct session **by_fd = calloc(FDS, sizeof *by_fd);
    static __thread char in[BATCH][2048], out[BATCH][2048];
    struct mmsghdr in_msgs[BATCH], out_msgs[BATCH];
    struct iovec in_iov[BATCH], out_iov[BATCH];
    struct sockaddr_in senders[BATCH];
    struct epoll_event events[BATCH];
    for (;;) {
        int n = epoll_wait(ep, events, BATCH, -1), replies = 0;
        for (int i = 0; i < n; i++) {
            if (events[i].data.u64 == LISTENER) {
                for (int k = 0; k < BATCH; k++) {
                    in_iov[k] = (struct iovec) {in[k], sizeof in[k]};
                    in_msgs[k].msg_hdr = (struct msghdr) {.msg_name = &senders[k], .msg_namelen = sizeof senders[k],
                                                          .msg_iov = &in_iov[k], .msg_iovlen = 1};
                }
                int got = recvmmsg(listener, in_msgs, BATCH, MSG_DONTWAIT, NULL);
                for (int k = 0; k < got; k++) {
                    struct sockaddr_in *from = &senders[k];
                    unsigned h = (from->sin_addr.s_addr * 2654435761u ^ from->sin_port * 40503u) & (SESSIONS - 1);
                    while (table[h].used && (table[h].peer.sin_port != from->sin_port
                                             || table[h].peer.sin_addr.s_addr != from->sin_addr.s_addr)) {
                        h = (h + 1) & (SESSIONS - 1);
                    }
                    if (!table[h].used) {
                        int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                        connect(s, (struct sockaddr *) &target, sizeof target);
                        table[h] = (struct session) {*from, s, 1};
                        by_fd[s] = &table[h];
                        struct epoll_event e = {.events = EPOLLIN, .data.u64 = (uint64_t) s};
                        epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
                    }
                    send(table[h].fd, in[k], in_msgs[k].msg_len, 0);
                }
            } else {
                int s = (int) events[i].data.u64;
                ssize_t r = recv(s, out[replies], sizeof out[replies], MSG_DONTWAIT);
                if (r < 0) {
                    continue;
                }
                out_iov[replies] = (struct iovec) {out[replies], (size_t) r};
                out_msgs[replies].msg_hdr = (struct msghdr) {.msg_name = &by_fd[s]->peer,
                                                             .msg_namelen = sizeof(struct sockaddr_in),
                                                             .msg_iov = &out_iov[replies], .msg_iovlen = 1};
                replies++;
            }
        }
        if (replies > 0) {
            sendmmsg(listener, out_msgs, replies, 0);
        }
    }
    return unused;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: udp-minimal-forwarder LISTEN_PORT TARGET_PORT THREADS\n");
        return 2;
    }
    listen_port = atoi(argv[1]);
    target_port = atoi(argv[2]);
    int threads = atoi(argv[3]);
    pthread_t t;
    for (int i = 0; i < threads; i++) {
        pthread_create(&t, NULL, forward, NULL);
    }
    pthread_join(t, NULL);
    return 0;
}
