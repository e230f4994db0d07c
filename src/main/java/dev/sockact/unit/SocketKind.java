package dev.sockact.unit;

/** The socket type of a ListenStream=/ListenDatagram=/ListenSequentialPacket= address. */
public enum SocketKind {
    STREAM("Stream", "ListenStream"),
    DATAGRAM("Datagram", "ListenDatagram"),
    SEQPACKET("SequentialPacket", "ListenSequentialPacket");

    private final String displayName;
    private final String directive;

    SocketKind(String displayName, String directive) {
        this.displayName = displayName;
        this.directive = directive;
    }

    /** The name {@code systemctl show} and {@code status} print, e.g. {@code Stream}. */
    public String displayName() {
        return displayName;
    }

    /** The key that declares it, e.g. {@code ListenStream}. */
    public String directive() {
        return directive;
    }

    /** Whether Accept=yes can accept connections on it. */
    public boolean accepts() {
        return this != DATAGRAM;
    }
}
