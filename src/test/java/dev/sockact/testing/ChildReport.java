package dev.sockact.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a started program received, as it reports it itself: a shell script
 * ({@link #SCRIPT}) prints its open descriptors, pid, LISTEN_* variables,
 * variable names, signal state and what fds 3.. are; this record reads the lines back.
 */
public record ChildReport(String text) {
    /**
     * Lists open descriptors without opening one (lstat of /proc/$$/fd/N) before
     * anything else. Run as the program itself ({@code sh -c SCRIPT}), so $$ is its pid.
     */
    public static final String SCRIPT = """
            fds=
            # The signal state is read first and with builtins only: dash blocks every signal in
            # itself while it forks and waits, so a mask read after a fork can catch that window.
            while IFS= read -r line; do
              case $line in SigBlk:*|SigIgn:*) signals="$signals$line
            "; esac
            done < /proc/$$/status
            i=0
            while [ $i -lt 64 ]; do
              if [ -L /proc/$$/fd/$i ]; then fds="$fds $i"; fi
              i=$((i + 1))
            done
            echo "fds:$fds"
            echo "pid: $$"
            printf '%s' "$signals"
            env | grep '^LISTEN_' | sort
            echo "vars: $(env | cut -d= -f1 | sort | tr '\\n' ' ')"
            i=3
            while [ $i -lt 64 ]; do
              if [ -L /proc/$$/fd/$i ]; then echo "fd $i: $(readlink /proc/$$/fd/$i)"; fi
              i=$((i + 1))
            done
            echo "end of report"
            """;

    /** The script with its output sent to descriptor {@code fd} (e.g. 3, the connection of an -a child). */
    public static String scriptWritingTo(int fd) {
        return "exec 1>&" + fd + "\n" + SCRIPT;
    }

    public List<Integer> fds() {
        return Arrays.stream(line("fds:").trim().split(" +")).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
    }

    public int pid() {
        return Integer.parseInt(line("pid: "));
    }

    /** The variable names in the environment, sorted. */
    public List<String> variableNames() {
        return Arrays.stream(line("vars: ").trim().split(" +")).filter(s -> !s.isEmpty()).toList();
    }

    /** The value after {@code prefix} on the first line that starts with it, or null. */
    public String line(String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElse(null);
    }

    public Map<String, String> listenVariables() {
        return text.lines().filter(l -> l.startsWith("LISTEN_"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
    }

    public boolean complete() {
        return text.contains("end of report");
    }
}
