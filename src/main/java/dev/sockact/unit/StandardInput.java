package dev.sockact.unit;

/** StandardInput=: a fixed source, a file, or a descriptor the service stored by name. */
public sealed interface StandardInput {

    /** The unit-file value, as given ("socket", "file:/etc/motd"). */
    String text();

    /** Whether stdin is the connection or listening socket (inetd style), which stdout then inherits. */
    default boolean isSocket() {
        return this == Source.SOCKET;
    }

    /** The values that are one word. */
    enum Source implements StandardInput {
        NULL("null"), TTY("tty"), TTY_FORCE("tty-force"), TTY_FAIL("tty-fail"), SOCKET("socket"), DATA("data");

        private final String text;

        Source(String text) {
            this.text = text;
        }

        @Override
        public String text() {
            return text;
        }
    }

    /** {@code file:PATH}: an absolute path, opened read-only. */
    record File(String path) implements StandardInput {
        @Override
        public String text() {
            return "file:" + path;
        }
    }

    /** {@code fd:NAME}: a descriptor from the file descriptor store. */
    record Fd(String name) implements StandardInput {
        @Override
        public String text() {
            return "fd:" + name;
        }
    }
}
