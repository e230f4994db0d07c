/* The least a socket-activated service can be: accepts one connection on the listening socket it was passed
 * (fd 3, LISTEN_FDS=1), echoes what it reads first, and exits. Built static by bench/activation-bench, it starts
 * in a fraction of a millisecond, so that an activation's latency is mostly the activator's own. */
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    int c = accept(3, 0, 0);
    if (c < 0) {
        return 1;
    }
    char buf[64];
    ssize_t n = read(c, buf, sizeof buf);
    if (n > 0 && write(c, buf, (size_t) n) != n) {
        return 1;
    }
    return 0;
}
