package dev.sockact.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * getopt_long(3) for commands on the activation path, where start-up time is
 * measured in milliseconds: picocli costs ~60 ms there (its classes are
 * compiled for Java 5, so the AOT cache cannot hold them). Same behaviour as
 * glibc for what systemd's tools use: {@code -c5}, {@code -c 5},
 * {@code --opt=value}, {@code --opt value}, options after operands, {@code --},
 * a long option abbreviated to any prefix that names one option ({@code --exit-idle=5}), and getopt's error
 * messages.
 */
public final class Getopt {
    /** One option: its short letter (or 0), long name, whether it takes a value, and other long names. */
    public record Spec(char shortName, String longName, boolean takesValue, List<String> aliases) {
        public Spec(char shortName, String longName, boolean takesValue) {
            this(shortName, longName, takesValue, List.of());
        }

        /** Its long name, then its other long names, in the order getopt's table would list them. */
        List<String> names() {
            List<String> names = new ArrayList<>(aliases.size() + 1);
            names.add(longName);
            names.addAll(aliases);
            return names;
        }
    }

    /** A command-line error, worded as getopt prints it (without the program name). */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** What was parsed: each option's values by long name, in order, and the operands. */
    public record Result(Map<String, List<String>> options, List<String> operands) {
        public boolean has(String longName) {
            return options.containsKey(longName);
        }

        /** The last value given, as getopt's callers usually keep. */
        public String last(String longName) {
            List<String> values = options.get(longName);
            return values == null ? null : values.getLast();
        }

        public List<String> all(String longName) {
            return options.getOrDefault(longName, List.of());
        }
    }

    private final List<Spec> specs;
    private final boolean stopAtFirstOperand;

    /** getopt_long with permutation, as systemd-socket-proxyd uses it: options may follow operands. */
    public Getopt(List<Spec> specs) {
        this(specs, false);
    }

    /**
     * @param stopAtFirstOperand getopt's "+" mode, as systemd-socket-activate uses it: everything from the
     *                           first operand on (the command and its own options) is operands
     */
    public Getopt(List<Spec> specs, boolean stopAtFirstOperand) {
        this.specs = List.copyOf(specs);
        this.stopAtFirstOperand = stopAtFirstOperand;
    }

    public Result parse(String[] args) throws UsageException {
        Map<String, List<String>> options = new LinkedHashMap<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                operands.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (arg.startsWith("--")) {
                i = parseLong(args, i, options);
            } else if (arg.startsWith("-") && arg.length() > 1) {
                i = parseShort(args, i, options);
            } else if (stopAtFirstOperand) {
                operands.addAll(List.of(args).subList(i, args.length));
                break;
            } else {
                operands.add(arg);
            }
        }
        return new Result(options, operands);
    }

    private int parseLong(String[] args, int i, Map<String, List<String>> options) throws UsageException {
        String body = args[i].substring(2);
        int eq = body.indexOf('=');
        Match match = lookUp(eq < 0 ? body : body.substring(0, eq), body);
        Spec spec = match.spec();
        if (!spec.takesValue()) {
            if (eq >= 0) {
                throw new UsageException("option '--" + match.name() + "' doesn't allow an argument");
            }
            add(options, spec, "");
            return i;
        }
        if (eq >= 0) {
            add(options, spec, body.substring(eq + 1));
            return i;
        }
        if (i + 1 >= args.length) {
            throw new UsageException("option '--" + match.name() + "' requires an argument");
        }
        add(options, spec, args[i + 1]);
        return i + 1;
    }

    /** A long name as written, and the option it named. */
    private record Match(String name, Spec spec) {
    }

    /**
     * glibc's process_long_option(): the option of that exact name, else the one whose name starts with it;
     * names of one option (aliases) never make it ambiguous. Messages quote the argument as given, value too.
     */
    private Match lookUp(String name, String body) throws UsageException {
        List<Match> candidates = new ArrayList<>();
        for (Spec spec : specs) {
            for (String candidate : spec.names()) {
                if (candidate.equals(name)) {
                    return new Match(candidate, spec);
                }
                if (!name.isEmpty() && candidate.startsWith(name)) {
                    candidates.add(new Match(candidate, spec));
                }
            }
        }
        if (candidates.isEmpty()) {
            throw new UsageException("unrecognized option '--" + body + "'");
        }
        if (candidates.stream().map(Match::spec).distinct().count() > 1) {
            StringBuilder message = new StringBuilder("option '--" + body + "' is ambiguous; possibilities:");
            candidates.forEach(candidate -> message.append(" '--").append(candidate.name()).append('\''));
            throw new UsageException(message.toString());
        }
        return candidates.getFirst();
    }

    private int parseShort(String[] args, int i, Map<String, List<String>> options) throws UsageException {
        String cluster = args[i];
        for (int k = 1; k < cluster.length(); k++) {
            char letter = cluster.charAt(k);
            Spec spec = specs.stream().filter(s -> s.shortName() == letter).findFirst()
                    .orElseThrow(() -> new UsageException("invalid option -- '" + letter + "'"));
            if (!spec.takesValue()) {
                add(options, spec, "");
                continue;
            }
            if (k + 1 < cluster.length()) {
                add(options, spec, cluster.substring(k + 1));
                return i;
            }
            if (i + 1 >= args.length) {
                throw new UsageException("option requires an argument -- '" + letter + "'");
            }
            add(options, spec, args[i + 1]);
            return i + 1;
        }
        return i;
    }

    private static void add(Map<String, List<String>> options, Spec spec, String value) {
        options.computeIfAbsent(spec.longName(), k -> new ArrayList<>()).add(value);
    }
}
