package dev.sockact.posix;

import static dev.sockact.posix.Layouts.INT;
import static dev.sockact.posix.Layouts.LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * recvmsg(2) and sendmsg(2) one datagram at a time, with the sender's address and the packet-info control message
 * that says which local address it was sent to: what a wildcard UDP listener needs to answer each client from the
 * address the client wrote to, as DNS servers do. The native structs are allocated once and reused: one instance
 * per thread, never shared.
 *
 * <pre>
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

    private static final int HEADER_SIZE = 56;
    private static final int CMSG_HEADER = 16;
    private static final int IN_PKTINFO_SIZE = 12;
    private static final int IN6_PKTINFO_SIZE = 20;
    /** Room for what recvmsg may deliver: one pktinfo, with space to spare for options a parent set. */
    private static final int CONTROL_CAPACITY = 256;

    /**
     * One msghdr per use, each with its own iovecs, so that what does not change from one call to the next is written
     * once: receive's name, control and iovec pointers; sendPrefixed's iovec pointer and count. A datagram then costs
     * a few field writes, not a whole struct (the listener's hot path runs under C1, where each write is a call).
     */
    private final MemorySegment header;
    private final MemorySegment iov;
    private final MemorySegment sendHeader;
    private final MemorySegment sendIov;
    private final MemorySegment prefixedHeader;
    private final MemorySegment prefixedIov;
    private final MemorySegment name;
    private final MemorySegment control;
    /** The buffer receive's iovec points at now, and its capacity: rewritten only when the caller's changes. */
    private long receiveBuffer;
    private long receiveCapacity = -1;

    private DatagramMessage(Arena arena) {
        header = arena.allocate(HEADER_SIZE, 8);
        iov = arena.allocate(16, 8);
        sendHeader = arena.allocate(HEADER_SIZE, 8);
        sendIov = arena.allocate(16, 8);
        prefixedHeader = arena.allocate(HEADER_SIZE, 8);
        prefixedIov = arena.allocate(32, 8);
        name = arena.allocate(SockAddr.STORAGE_SIZE, 8);
        control = arena.allocate(CONTROL_CAPACITY, 8);
        header.set(LONG, 0, name.address());
        header.set(LONG, 16, iov.address());
        header.set(LONG, 24, 1);
        header.set(LONG, 32, control.address());
        sendHeader.set(LONG, 16, sendIov.address());
        sendHeader.set(LONG, 24, 1);
        prefixedHeader.set(LONG, 16, prefixedIov.address());
        prefixedHeader.set(LONG, 24, 2);
    }

    /** The structs for one thread, in {@code arena}. */
    public static DatagramMessage allocate(Arena arena) {
        return new DatagramMessage(arena);
    }

    /**
     * recvmsg(2) of one datagram into {@code buffer} (up to {@code capacity} bytes): its length, or -errno. The
     * sender is then in {@link #name()}, and the local address it was sent to in the control message, read by
     * {@link #replySource}. Never throws: the hot path of every datagram listener.
     */
    public long receive(int fd, MemorySegment buffer, long capacity) {
        if (buffer.address() != receiveBuffer || capacity != receiveCapacity) {
            receiveBuffer = buffer.address();
            receiveCapacity = capacity;
            iov.set(LONG, 0, receiveBuffer);
            iov.set(LONG, 8, capacity);
        }
        // In and out: the kernel writes back the lengths it filled (msg_flags is out only).
        header.set(INT, 8, SockAddr.STORAGE_SIZE);
        header.set(LONG, 40, CONTROL_CAPACITY);
        return Native.sys(Syscalls.RECVMSG, fd, header.address(), 0);
    }

    /** The sender's address of the last {@link #receive}, {@link #nameLength} bytes of it. */
    public MemorySegment name() {
        return name;
    }

    public int nameLength() {
        return header.get(INT, 8);
    }

    /** The last datagram received was longer than the buffer and was cut (MSG_TRUNC). */
    public boolean truncated() {
        return (header.get(INT, 48) & MSG_TRUNC) != 0;
    }

    /** The last datagram's sender, decoded (for logs: the hot path keeps the raw bytes). */
    public SockAddr sender() {
        return SockAddr.decode(name, nameLength());
    }

    /**
     * Writes into {@code reply} (at least {@link #REPLY_SOURCE_SIZE} bytes) the control message that makes
     * sendmsg(2) send from the local address the last datagram was sent to: IP_PKTINFO with ipi_spec_dst set to
     * the datagram's destination, or IPV6_PKTINFO with its address and interface (IPv4 on a dual-stack socket
     * comes as a v4-mapped IPV6_PKTINFO, which sendmsg takes back). Returns its length, or 0 when the datagram
     * brought no packet info (the socket is not bound to a wildcard address, or not IP).
     */
    public int replySource(MemorySegment reply) {
        long length = header.get(LONG, 40);
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
     * The local address the last datagram was sent to, from its packet info: 4 bytes (IP_PKTINFO's ipi_addr) or 16
     * (IPV6_PKTINFO's, v4-mapped for IPv4 on a dual-stack socket); null without packet info.
     */
    public byte[] destination() {
        long length = header.get(LONG, 40);
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
     * sendmsg(2) of one datagram to {@code to} ({@code toLength} bytes of sockaddr), from the source that
     * {@code source} says ({@code sourceLength} 0: the socket's own): bytes sent or -errno. Never raises SIGPIPE.
     */
    public long send(int fd, MemorySegment buffer, long length, MemorySegment to, int toLength, MemorySegment source,
                     int sourceLength) {
        sendIov.set(LONG, 0, buffer.address());
        sendIov.set(LONG, 8, length);
        sendHeader.set(LONG, 0, to.address());
        sendHeader.set(INT, 8, toLength);
        sendHeader.set(LONG, 32, sourceLength == 0 ? 0 : source.address());
        sendHeader.set(LONG, 40, sourceLength);
        return Native.sys(Syscalls.SENDMSG, fd, sendHeader.address(), Sockets.MSG_NOSIGNAL);
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
