package dev.sockact.activation;

import dev.sockact.posix.Errno;

/**
 * A listen address that does not parse. Carries the errno systemd's parser
 * returns for it (EINVAL, ERANGE, ENAMETOOLONG), because the messages systemd
 * prints are made from that errno's text.
 */
public final class InvalidAddressException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String address;
    private final Errno errno;

    public InvalidAddressException(String address, Errno errno, String detail) {
        super(detail);
        this.address = address;
        this.errno = errno;
    }

    public String address() {
        return address;
    }

    public Errno errno() {
        return errno;
    }
}
