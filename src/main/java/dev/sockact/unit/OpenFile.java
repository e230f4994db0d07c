package dev.sockact.unit;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One OpenFile= line of a [Service] (systemd 253): a file the manager opens for the service and passes after its
 * sockets, named {@code fdName} in LISTEN_FDNAMES.
 *
 * @param readOnly opened O_RDONLY instead of O_RDWR
 * @param append   O_APPEND
 * @param truncate O_TRUNC
 * @param graceful a file that cannot be opened is left out, instead of failing the start
 */
public record OpenFile(Path path, String fdName, boolean readOnly, boolean append, boolean truncate,
                       boolean graceful) {
    public OpenFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(fdName, "fdName");
    }

    /** The line as systemd prints it: {@code PATH:NAME[:OPTION,...]}. */
    public String text() {
        StringBuilder options = new StringBuilder();
        for (String[] flag : new String[][] {{readOnly ? "read-only" : null}, {append ? "append" : null},
                {truncate ? "truncate" : null}, {graceful ? "graceful" : null}}) {
            if (flag[0] != null) {
                options.append(options.isEmpty() ? "" : ",").append(flag[0]);
            }
        }
        return path + ":" + fdName + (options.isEmpty() ? "" : ":" + options);
    }
}
