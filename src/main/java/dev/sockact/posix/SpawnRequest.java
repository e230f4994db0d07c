package dev.sockact.posix;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Spawner} starts: a program, its argv and environment, and exactly
 * the descriptors it gets. {@code passFds} land at 3, 4, ... in order; stdio
 * defaults to ours; every other descriptor is closed in the child.
 *
 * @param program         absolute path of the executable
 * @param argv            the argument vector, argv[0] included
 * @param environment     "NAME=value" entries, complete (nothing is inherited implicitly)
 * @param passFds         descriptors placed at 3.. in the child
 * @param stdin           placed at 0, or null to inherit ours
 * @param stdout          placed at 1, or null to inherit ours
 * @param stderr          placed at 2, or null to inherit ours
 * @param setListenPid    add LISTEN_PID=&lt;the child's own pid&gt; to the environment, and LISTEN_PIDFDID=&lt;the
 *                        inode of a pidfd for it&gt; where pidfds have inodes (pidfs) and the trampoline is used
 * @param newProcessGroup make the child leader of a new process group
 * @param workingDirectory chdir there in the child, or null
 */
public record SpawnRequest(String program, List<String> argv, List<String> environment, List<Fd> passFds,
                           Fd stdin, Fd stdout, Fd stderr, boolean setListenPid, boolean newProcessGroup,
                           String workingDirectory) {
    public SpawnRequest {
        Objects.requireNonNull(program, "program");
        if (!program.startsWith("/")) {
            throw new IllegalArgumentException("program must be an absolute path: " + program);
        }
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must hold at least argv[0]");
        }
        environment = List.copyOf(environment);
        passFds = List.copyOf(passFds);
    }

    /** This request with other stdio: the same lists, so that what was derived from them can be kept. */
    public SpawnRequest withStdio(Fd stdin, Fd stdout, Fd stderr) {
        return new SpawnRequest(program, argv, environment, passFds, stdin, stdout, stderr, setListenPid,
                newProcessGroup, workingDirectory);
    }

    /**
     * The environment for a child that writes its own LISTEN_PID (and LISTEN_PIDFDID): without entries of those
     * names, which would describe another process.
     */
    List<String> environmentWithoutListenPid() {
        // A loop, not a stream: this runs once per spawn, mostly before the JIT has compiled it.
        List<String> kept = new ArrayList<>(environment.size());
        for (String e : environment) {
            if (!e.startsWith("LISTEN_PID=") && !e.startsWith("LISTEN_PIDFDID=")) {
                kept.add(e);
            }
        }
        return kept;
    }

    public static Builder of(String program, List<String> argv) {
        return new Builder(program, argv);
    }

    /** Fills a request step by step; unset parts mean "inherit stdio, no fds, empty environment". */
    public static final class Builder {
        private final String program;
        private final List<String> argv;
        private List<String> environment = List.of();
        private final List<Fd> passFds = new ArrayList<>();
        private Fd stdin;
        private Fd stdout;
        private Fd stderr;
        private boolean setListenPid;
        private boolean newProcessGroup;
        private String workingDirectory;

        private Builder(String program, List<String> argv) {
            this.program = program;
            this.argv = argv;
        }

        public Builder environment(List<String> entries) {
            this.environment = entries;
            return this;
        }

        public Builder passFds(List<Fd> fds) {
            passFds.addAll(fds);
            return this;
        }

        public Builder stdin(Fd fd) {
            this.stdin = fd;
            return this;
        }

        public Builder stdout(Fd fd) {
            this.stdout = fd;
            return this;
        }

        public Builder stderr(Fd fd) {
            this.stderr = fd;
            return this;
        }

        public Builder setListenPid(boolean value) {
            this.setListenPid = value;
            return this;
        }

        public Builder newProcessGroup(boolean value) {
            this.newProcessGroup = value;
            return this;
        }

        public Builder workingDirectory(String directory) {
            this.workingDirectory = directory;
            return this;
        }

        public SpawnRequest build() {
            return new SpawnRequest(program, argv, environment, passFds, stdin, stdout, stderr, setListenPid,
                    newProcessGroup, workingDirectory);
        }
    }
}
