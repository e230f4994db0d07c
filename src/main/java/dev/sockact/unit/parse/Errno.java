package dev.sockact.unit.parse;

/** The errno values the value parsers report, with glibc's strerror text that systemd's {@code %m} prints. */
enum Errno {
    EINVAL("Invalid argument"),
    ERANGE("Numerical result out of range"),
    ENODEV("No such device"),
    EAFNOSUPPORT("Address family not supported by protocol"),
    ENAMETOOLONG("File name too long"),
    EBADSLT("Invalid slot"),
    ENOBUFS("No buffer space available");

    private final String text;

    Errno(String text) {
        this.text = text;
    }

    String text() {
        return text;
    }

    /** Maps the errno names {@link dev.sockact.unit.TimeSpan#parse} and {@link CNumbers} throw. */
    static Errno of(NumberFormatException e) {
        return "ERANGE".equals(e.getMessage()) ? ERANGE : EINVAL;
    }
}
