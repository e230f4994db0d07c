package dev.sockact.proxy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A client's address as the bytes of its sockaddr, the key of its datagram session. One mutable instance per
 * listener is the probe: each datagram's sender is copied into it and looked up without allocating; only a new
 * client's key is copied ({@link #copy}) into the map.
 */
final class SessionKey {
    private final byte[] bytes;
    private int length;
    private int hash;

    private SessionKey(byte[] bytes, int length, int hash) {
        this.bytes = bytes;
        this.length = length;
        this.hash = hash;
    }

    /** A probe, with room for any sockaddr. */
    static SessionKey probe(int capacity) {
        return new SessionKey(new byte[capacity], 0, 0);
    }

    /** Makes this probe the first {@code n} bytes of {@code address}. */
    SessionKey set(MemorySegment address, int n) {
        int count = Math.min(n, bytes.length);
        // One bulk copy, then plain array reads: a get per byte is a call each under C1.
        MemorySegment.copy(address, ValueLayout.JAVA_BYTE, 0, bytes, 0, count);
        int h = 1;
        for (int i = 0; i < count; i++) {
            h = 31 * h + bytes[i];
        }
        length = count;
        hash = h;
        return this;
    }

    /** An immutable copy of this probe, for the map. */
    SessionKey copy() {
        return new SessionKey(Arrays.copyOf(bytes, length), length, hash);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SessionKey k && k.hash == hash
                && Arrays.equals(bytes, 0, length, k.bytes, 0, k.length);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
