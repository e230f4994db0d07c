package dev.sockact.unit;

/** StandardOutput= and StandardError=: a fixed sink, a file, or a descriptor the service stored by name. */
public sealed interface StandardOutput {

    /** The unit-file value, as given ("journal", "append:/var/log/app.log"). */
    String text();

    /** The values that are one word. */
    enum Sink implements StandardOutput {
        INHERIT("inherit"), NULL("null"), TTY("tty"), JOURNAL("journal"), KMSG("kmsg"), SYSLOG("syslog"),
        JOURNAL_AND_CONSOLE("journal+console"), KMSG_AND_CONSOLE("kmsg+console"),
        SYSLOG_AND_CONSOLE("syslog+console"), SOCKET("socket");

        private final String text;

        Sink(String text) {
            this.text = text;
        }

        @Override
        public String text() {
            return text;
        }

        /** Whether the output goes to a log (journal, syslog, kmsg, with or without the console). */
        public boolean isLog() {
            return this != INHERIT && this != NULL && this != TTY && this != SOCKET;
        }
    }

    /** How {@link File} opens its path. */
    enum FileMode {
        /** {@code file:}: written from the start, without truncating. */
        WRITE("file"),
        /** {@code append:}. */
        APPEND("append"),
        /** {@code truncate:}. */
        TRUNCATE("truncate");

        private final String prefix;

        FileMode(String prefix) {
            this.prefix = prefix;
        }

        /** The word before the colon ("append"). */
        public String prefix() {
            return prefix;
        }
    }

    /** {@code file:PATH}, {@code append:PATH}, {@code truncate:PATH}: an absolute path. */
    record File(FileMode mode, String path) implements StandardOutput {
        @Override
        public String text() {
            return mode.prefix() + ":" + path;
        }
    }

    /** {@code fd:NAME}: a descriptor from the file descriptor store. */
    record Fd(String name) implements StandardOutput {
        @Override
        public String text() {
            return "fd:" + name;
        }
    }
}
