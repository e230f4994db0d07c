package dev.sockact.unit;

/** BindIPv6Only=: whether IPV6_V6ONLY is set on IPv6 listeners. */
public enum BindIPv6Only {
    /** Leave the socket option alone: the sysctl net.ipv6.bindv6only decides. */
    DEFAULT("default"),
    /** IPV6_V6ONLY=0: an IPv6 listener also takes IPv4. */
    BOTH("both"),
    /** IPV6_V6ONLY=1. */
    IPV6_ONLY("ipv6-only");

    private final String text;

    BindIPv6Only(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
