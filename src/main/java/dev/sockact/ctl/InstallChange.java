package dev.sockact.ctl;

/** One link that enable made ({@code symlink}, from {@code path} to {@code source}) or disable removed. */
public record InstallChange(Kind kind, String path, String source) {
    /** What happened to the link; {@link #word()} is its name on the wire, as systemd's. */
    public enum Kind {
        SYMLINK("symlink"), UNLINK("unlink");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }
}
