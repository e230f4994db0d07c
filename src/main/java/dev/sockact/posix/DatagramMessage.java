package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;
import static dev.sockact.posix.Layouts.LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * recvmmsg(2) and sendmmsg(2) of batches of datagrams, with each sender's address and the packet-info control
 * message that says which local address it was sent to: what a wildcard UDP listener needs to answer each client
 * from the address the client wrote to, as DNS servers do. The native structs are allocated once and reused: one
 * instance per thread, never shared.
 *
 * <pre>
 * struct mmsghdr { struct msghdr msg_hdr; unsigned msg_len; };   // 64, msg_len at 56
 * struct msghdr {                  struct cmsghdr {
 *     void         *msg_name;      // 0       size_t cmsg_len;     // 0
 *     socklen_t     msg_namelen;   // 8       int    cmsg_level;   // 8
 *     struct iovec *msg_iov;       // 16      int    cmsg_type;    // 12
 *     size_t        msg_iovlen;    // 24      unsigned char data[]; // 16
 *     void         *msg_control;   // 32  };
 *     size_t        msg_controllen;// 40  struct in_pktinfo  { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; };
 *     int           msg_flags;     // 48  struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; };
 * };                               // 56  struct iovec { void *iov_base; size_t iov_len; };   // 16
 * </pre>
 */
public final class DatagramMessage {
    /** The largest reply-source control message {@link #replySource} writes: CMSG_SPACE(sizeof in6_pktinfo). */
    public static final int REPLY_SOURCE_SIZE = 40;
    public static final int MSG_TRUNC = 0x20;
    /** Datagrams one {@link #receive} reads at most: a burst of them costs one system call, not one each. */
    public static final int BATCH = 16;

    private static final int HEADER_SIZE = 56;
    private static final int MMSG_SIZE = 64;
    private static final int CMSG_HEADER = 16;
    private static final int IN_PKTINFO_SIZE = 12;
    private static final int IN6_PKTINFO_SIZE = 20;
    /** Room for what recvmsg may deliver: one pktinfo, with space to spare for options a parent set. */
    private static final int CONTROL_CAPACITY = 256;
    private static final int MSG_DONTWAIT = 0x40;

    /**
     * The receiving and the sending mmsghdrs, each with its own iovec (and the receiving ones with their own name
     * and control), and sendPrefixed's msghdr, so that what does not change from one call to the next is written
     * once: the names', controls' and iovecs' pointers and counts. A datagram then costs a few field writes, not a
     * whole struct.
     */
    private final MemorySegment headers;
    private final MemorySegment iovs;
    private final MemorySegment[] names = new MemorySegment[BATCH];
    private final MemorySegment[] controls = new MemorySegment[BATCH];
    private final MemorySegment batchHeaders;
    private final MemorySegment batchIovs;
    private final MemorySegment prefixedHeader;
    private final MemorySegment prefixedIov;
    /** The buffers the iovecs point at now, and each one's capacity: rewritten only when the caller's change. */
    private long receiveBuffers;
    private long receiveCapacity = -1;
    /** The mmsghdrs the last receive filled, whose lengths the kernel overwrote: reset before the next. */
    private int filled = BATCH;
    /** The datagram of the last batch that {@link #name}, {@link #replySource} and the rest describe. */
    private long selectedHeader;
    private MemorySegment name;
    private MemorySegment control;

    private DatagramMessage(Arena arena) {
        headers = arena.allocate((long) MMSG_SIZE * BATCH, 8);
        iovs = arena.allocate(16L * BATCH, 8);
        MemorySegment nameSpace = arena.allocate((long) SockAddr.STORAGE_SIZE * BATCH, 8);
        MemorySegment controlSpace = arena.allocate((long) CONTROL_CAPACITY * BATCH, 8);
        for (int i = 0; i < BATCH; i++) {
            names[i] = nameSpace.asSlice((long) SockAddr.STORAGE_SIZE * i, SockAddr.STORAGE_SIZE);
            controls[i] = controlSpace.asSlice((long) CONTROL_CAPACITY * i, CONTROL_CAPACITY);
            long header = (long) MMSG_SIZE * i;
            headers.set(LONG, header, names[i].address());
            headers.set(LONG, header + 16, iovs.address() + 16L * i);
            headers.set(LONG, header + 24, 1);
            headers.set(LONG, header + 32, controls[i].address());
        }
        batchHeaders = arena.allocate((long) MMSG_SIZE * BATCH, 8);
        batchIovs = arena.allocate(16L * BATCH, 8);
        for (int i = 0; i < BATCH; i++) {
            batchHeaders.set(LONG, (long) MMSG_SIZE * i + 16, batchIovs.address() + 16L * i);
            batchHeaders.set(LONG, (long) MMSG_SIZE * i + 24, 1);
        }
        prefixedHeader = arena.allocate(HEADER_SIZE, 8);
        prefixedIov = arena.allocate(32, 8);
        prefixedHeader.set(LONG, 16, prefixedIov.address());
        prefixedHeader.set(LONG, 24, 2);
        select(0);
    }

    /** The structs for one thread, in {@code arena}. */
    public static DatagramMessage allocate(Arena arena) {
        return new DatagramMessage(arena);
    }

    /**
     * recvmmsg(2) of up to {@code count} ({@code <=} {@link #BATCH}) datagrams without waiting, the i-th into
     * {@code buffers} at {@code i * capacity} (up to {@code capacity} bytes each; {@code buffers} holds {@code BATCH}
     * of them): how many were read, or -errno (-EAGAIN when none was waiting). Fewer than asked means the socket had
     * no more. Then
     * {@link #select} picks one, whose {@link #length}, sender ({@link #name}) and local address (the control
     * message, read by {@link #replySource}) the other methods give. Never throws: the hot path of every datagram
     * listener.
     */
    public int receive(int fd, MemorySegment buffers, long capacity, int count) {
        if (buffers.address() != receiveBuffers || capacity != receiveCapacity) {
            receiveBuffers = buffers.address();
            receiveCapacity = capacity;
            for (int i = 0; i < BATCH; i++) {
                iovs.set(LONG, 16L * i, receiveBuffers + capacity * i);
                iovs.set(LONG, 16L * i + 8, capacity);
            }
        }
        // In and out: the kernel writes back the lengths it filled (msg_flags and msg_len are out only).
        for (int i = 0; i < filled; i++) {
            long header = (long) MMSG_SIZE * i;
            headers.set(INT, header + 8, SockAddr.STORAGE_SIZE);
            headers.set(LONG, header + 40, CONTROL_CAPACITY);
        }
        int n = (int) Native.sys(Syscalls.RECVMMSG, fd, headers.address(), count, MSG_DONTWAIT, 0);
        filled = n > 0 ? n : 1;   // a failed call wrote back nothing; the first header is reset anyway
        return n;
    }

    /** Makes the {@code i}-th datagram of the last {@link #receive} the one the accessors describe. */
    public void select(int i) {
        selectedHeader = (long) MMSG_SIZE * i;
        name = names[i];
        control = controls[i];
    }

    /** The selected datagram's length in its buffer. */
    public long length() {
        return Integer.toUnsignedLong(headers.get(INT, selectedHeader + 56));
    }

    /** The selected datagram's sender, {@link #nameLength} bytes of it. */
    public MemorySegment name() {
        return name;
    }

    public int nameLength() {
        return headers.get(INT, selectedHeader + 8);
    }

    /** The selected datagram was longer than its buffer and was cut (MSG_TRUNC). */
    public boolean truncated() {
        return (headers.get(INT, selectedHeader + 48) & MSG_TRUNC) != 0;
    }

    /** The selected datagram's sender, decoded (for logs: the hot path keeps the raw bytes). */
    public SockAddr sender() {
        return SockAddr.decode(name, nameLength());
    }

    /**
     * Writes into {@code reply} (at least {@link #REPLY_SOURCE_SIZE} bytes) the control message that makes
     * sendmsg(2) send from the local address the selected datagram was sent to: IP_PKTINFO with ipi_spec_dst set to
     * the datagram's destination, or IPV6_PKTINFO with its address and interface (IPv4 on a dual-stack socket
     * comes as a v4-mapped IPV6_PKTINFO, which sendmsg takes back). Returns its length, or 0 when the datagram
     * brought no packet info (the socket is not bound to a wildcard address, or not IP).
     */
    public int replySource(MemorySegment reply) {
        long length = headers.get(LONG, selectedHeader + 40);
        long offset = 0;
        while (offset + CMSG_HEADER <= length) {
            long cmsgLength = control.get(LONG, offset);
            if (cmsgLength < CMSG_HEADER || offset + cmsgLength > length) {
                return 0;
            }
            int level = control.get(INT, offset + 8);
            int type = control.get(INT, offset + 12);
            long data = offset + CMSG_HEADER;
            if (level == Sockets.IPPROTO_IP && type == Sockets.IP_PKTINFO && cmsgLength >= CMSG_HEADER + IN_PKTINFO_SIZE) {
                writeHeader(reply, IN_PKTINFO_SIZE, Sockets.IPPROTO_IP, Sockets.IP_PKTINFO);
                reply.set(INT, CMSG_HEADER, 0);   // any interface: the routing table picks it, as for any reply
                reply.set(INT, CMSG_HEADER + 4, control.get(INT, data + 8));   // ipi_spec_dst = ipi_addr
                reply.set(INT, CMSG_HEADER + 8, 0);
                return space(IN_PKTINFO_SIZE);
            }
            if (level == Sockets.IPPROTO_IPV6 && type == Sockets.IPV6_PKTINFO && cmsgLength >= CMSG_HEADER + IN6_PKTINFO_SIZE) {
                writeHeader(reply, IN6_PKTINFO_SIZE, Sockets.IPPROTO_IPV6, Sockets.IPV6_PKTINFO);
                reply.set(LONG, CMSG_HEADER, control.get(LONG, data));
                reply.set(LONG, CMSG_HEADER + 8, control.get(LONG, data + 8));
                // The interface too: a link-local address means nothing without it.
                reply.set(INT, CMSG_HEADER + 16, control.get(INT, data + 16));
                return space(IN6_PKTINFO_SIZE);
            }
            offset += space((int) cmsgLength - CMSG_HEADER);
        }
        return 0;
    }

    /**
     * The local address the selected datagram was sent to, from its packet info: 4 bytes (IP_PKTINFO's ipi_addr) or 16
     * (IPV6_PKTINFO's, v4-mapped for IPv4 on a dual-stack socket); null without packet info.
     */
    public byte[] destination() {
        long length = headers.get(LONG, selectedHeader + 40);
        long offset = 0;
        while (offset + CMSG_HEADER <= length) {
            long cmsgLength = control.get(LONG, offset);
            if (cmsgLength < CMSG_HEADER || offset + cmsgLength > length) {
                return null;
            }
            int level = control.get(INT, offset + 8);
            int type = control.get(INT, offset + 12);
            long data = offset + CMSG_HEADER;
            if (level == Sockets.IPPROTO_IP && type == Sockets.IP_PKTINFO && cmsgLength >= CMSG_HEADER + IN_PKTINFO_SIZE) {
                return Layouts.get(control, data + 8, 4);
            }
            if (level == Sockets.IPPROTO_IPV6 && type == Sockets.IPV6_PKTINFO && cmsgLength >= CMSG_HEADER + IN6_PKTINFO_SIZE) {
                return Layouts.get(control, data, 16);
            }
            offset += space((int) cmsgLength - CMSG_HEADER);
        }
        return null;
    }

    /**
     * Makes the {@code i}-th datagram of the next {@link #sendBatch}: {@code length} bytes of {@code buffer} from
     * {@code offset} on, to {@code to}, from the source {@code source} says, as sendmsg(2) takes them: {@code sourceLength} 0 sends from the socket's own. The memory
     * must stay as it is until the batch is sent.
     */
    public void setBatch(int i, MemorySegment buffer, long offset, long length, MemorySegment to, int toLength,
                         MemorySegment source, int sourceLength) {
        long header = (long) MMSG_SIZE * i;
        batchIovs.set(LONG, 16L * i, buffer.address() + offset);
        batchIovs.set(LONG, 16L * i + 8, length);
        batchHeaders.set(LONG, header, to.address());
        batchHeaders.set(INT, header + 8, toLength);
        batchHeaders.set(LONG, header + 32, sourceLength == 0 ? 0 : source.address());
        batchHeaders.set(LONG, header + 40, sourceLength);
    }

    /**
     * sendmmsg(2) of the batch's datagrams {@code from} to {@code from + count - 1} on {@code fd}: how many were
     * sent, in order, or -errno when the first of them failed (sendmmsg reports a later failure only as a short
     * count: the caller sends again from the one that failed, to learn its error). Never raises SIGPIPE.
     */
    public int sendBatch(int fd, int from, int count) {
        if (count == 1) {
            // One datagram (a client that waits for each reply): sendmsg of its header costs less than sendmmsg.
            long n = Native.sys(Syscalls.SENDMSG, fd, batchHeaders.address() + (long) MMSG_SIZE * from,
                    Sockets.MSG_NOSIGNAL);
            if (n < 0) {
                return (int) n;
            }
            batchHeaders.set(INT, (long) MMSG_SIZE * from + 56, (int) n);
            return 1;
        }
        return (int) Native.sys(Syscalls.SENDMMSG, fd, batchHeaders.address() + (long) MMSG_SIZE * from, count,
                Sockets.MSG_NOSIGNAL);
    }

    /** The bytes the last {@link #sendBatch} sent of the batch's {@code i}-th datagram. */
    public long batchSent(int i) {
        return Integer.toUnsignedLong(batchHeaders.get(INT, (long) MMSG_SIZE * i + 56));
    }

    /**
     * sendmsg(2) of one datagram made of {@code prefix} then {@code buffer}, on a connected socket, without copying
     * them together (a PROXY protocol header ahead of every datagram): bytes sent or -errno.
     */
    public long sendPrefixed(int fd, MemorySegment prefix, long prefixLength, MemorySegment buffer, long length) {
        prefixedIov.set(LONG, 0, prefix.address());
        prefixedIov.set(LONG, 8, prefixLength);
        prefixedIov.set(LONG, 16, buffer.address());
        prefixedIov.set(LONG, 24, length);
        return Native.sys(Syscalls.SENDMSG, fd, prefixedHeader.address(), Sockets.MSG_NOSIGNAL);
    }

    private static void writeHeader(MemorySegment reply, int dataSize, int level, int type) {
        reply.set(LONG, 0, CMSG_HEADER + dataSize);
        reply.set(INT, 8, level);
        reply.set(INT, 12, type);
    }

    /** CMSG_SPACE: the header and the data, padded to 8 bytes. */
    private static int space(int dataSize) {
        return CMSG_HEADER + ((dataSize + 7) & ~7);
    }
}
