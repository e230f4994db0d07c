package dev.sockact.unit.parse;

import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.TimeSpan;

import java.util.List;
import java.util.Set;

/**
 * The [Service] table: what a socket-activated service needs from systemd.service(5) and systemd.exec(5). The
 * other 252 keys (sandboxing, cgroups, credentials...) are recognised and reported as not supported.
 */
public final class ServiceDirectives {

    private static final Set<String> TYPES = Set.of("simple", "exec", "forking", "oneshot", "dbus", "notify", "idle");
    private static final Set<String> RESTARTS = Set.of("no", "on-success", "on-failure", "on-abnormal",
            "on-watchdog", "on-abort", "always");
    private static final Set<String> KILL_MODES = Set.of("control-group", "process", "mixed", "none");
    private static final Set<String> NOTIFY_ACCESS = Set.of("none", "main", "exec", "all");
    private static final Set<String> INPUTS = Set.of("null", "tty", "tty-force", "tty-fail", "socket", "data");
    private static final Set<String> OUTPUTS = Set.of("inherit", "null", "tty", "journal", "kmsg", "syslog",
            "journal+console", "kmsg+console", "syslog+console", "socket");
    public static final DirectiveTable<ServiceUnit.Builder> SERVICE =
            DirectiveTable.<ServiceUnit.Builder>section("Service")
            .one("Type", word(TYPES, "Failed to parse service type"), ServiceUnit.Builder::type)
            .listOfMany("ExecCondition", new ExecLineParser(), ServiceUnit.Builder::execCondition)
            .listOfMany("ExecStartPre", new ExecLineParser(), ServiceUnit.Builder::execStartPre)
            .listOfMany("ExecStart", new ExecLineParser(), ServiceUnit.Builder::execStart)
            .listOfMany("ExecStartPost", new ExecLineParser(), ServiceUnit.Builder::execStartPost)
            .listOfMany("ExecReload", new ExecLineParser(), ServiceUnit.Builder::execReload)
            .listOfMany("ExecStop", new ExecLineParser(), ServiceUnit.Builder::execStop)
            .listOfMany("ExecStopPost", new ExecLineParser(), ServiceUnit.Builder::execStopPost)
            .one("User", UserNames.userOrGroup(), ServiceUnit.Builder::user)
            .one("Group", UserNames.userOrGroup(), ServiceUnit.Builder::group)
            .custom("WorkingDirectory", ServiceDirectives::workingDirectory)
            .listOfMany("Environment", ListParsers.environment(), ServiceUnit.Builder::environment)
            .list("EnvironmentFile", Values.stringPrintf(), ServiceUnit.Builder::environmentFiles)
            .listOfMany("PassEnvironment", ListParsers.environmentNames(), ServiceUnit.Builder::passEnvironment)
            .listOfMany("UnsetEnvironment", ListParsers.environmentNames(), ServiceUnit.Builder::unsetEnvironment)
            .one("StandardInput", stdio(INPUTS, "Failed to parse input specifier"),
                    ServiceUnit.Builder::standardInput)
            .one("StandardOutput", stdio(OUTPUTS, "Failed to parse output specifier"),
                    ServiceUnit.Builder::standardOutput)
            .one("StandardError", stdio(OUTPUTS, "Failed to parse output specifier"),
                    ServiceUnit.Builder::standardError)
            .one("SyslogIdentifier", Values.stringPrintf(), ServiceUnit.Builder::syslogIdentifier)
            .one("UMask", Values.mode(), ServiceUnit.Builder::umask)
            .one("Restart", word(RESTARTS, "Failed to parse service restart specifier"),
                    ServiceUnit.Builder::restart)
            .one("RestartSec", Values.sec(), ServiceUnit.Builder::restartSec)
            .one("TimeoutStartSec", serviceTimeout(), ServiceUnit.Builder::timeoutStart)
            .one("TimeoutStopSec", SocketDirectives.timeValueFix0(), ServiceUnit.Builder::timeoutStop)
            .custom("TimeoutSec", (b, value, context) -> {
                TimeSpan timeout = serviceTimeout().parse(value, context);
                b.timeoutStart(timeout);
                b.timeoutStop(timeout);
            })
            .one("RemainAfterExit", Values.bool(), ServiceUnit.Builder::remainAfterExit)
            .one("KillMode", word(KILL_MODES, "Failed to parse kill mode specification"),
                    ServiceUnit.Builder::killMode)
            .one("KillSignal", signal(), ServiceUnit.Builder::killSignal)
            .listOfMany("SuccessExitStatus", exitStatusSet(), ServiceUnit.Builder::successExitStatus)
            .listOfMany("RestartPreventExitStatus", exitStatusSet(), ServiceUnit.Builder::restartPreventExitStatus)
            .appendOnly("Sockets", ListParsers.unitNames(), ServiceUnit.Builder::sockets)
            .one("NonBlocking", Values.bool(), ServiceUnit.Builder::nonBlocking)
            .one("FileDescriptorStoreMax", Values.unsigned(), ServiceUnit.Builder::fileDescriptorStoreMax)
            .one("PIDFile", Values.stringPrintf(), ServiceUnit.Builder::pidFile)
            .one("WatchdogSec", Values.sec(), ServiceUnit.Builder::watchdog)
            .one("NotifyAccess", word(NOTIFY_ACCESS, "Failed to parse notify access specifier"),
                    ServiceUnit.Builder::notifyAccess)
            .one("PrivateNetwork", Values.bool(), ServiceUnit.Builder::privateNetwork)
            .one("PrivateTmp", Values.bool(), ServiceUnit.Builder::privateTmp)
            .unsupported(Systemd252Keys.of("Service"))
            .build();

    private ServiceDirectives() {
    }

    private static ValueParser<String> word(Set<String> allowed, String messagePrefix) {
        return (value, context) -> {
            if (!allowed.contains(value)) {
                throw InvalidValueException.ignoring(messagePrefix + ", ignoring: " + value);
            }
            return value;
        };
    }

    /** Standard streams: a fixed word, or {@code fd:NAME}, {@code file:PATH}, {@code append:PATH}, ... */
    private static ValueParser<String> stdio(Set<String> allowed, String messagePrefix) {
        return (value, context) -> {
            String expanded = context.expandFull(value);
            if (allowed.contains(expanded) || expanded.startsWith("fd:") || expanded.startsWith("file:/")
                    || (allowed == OUTPUTS && (expanded.startsWith("append:/") || expanded.startsWith("truncate:/")))) {
                return expanded;
            }
            throw InvalidValueException.ignoring(messagePrefix + ", ignoring: " + value);
        };
    }

    /** Exit status names systemd accepts (exit-status.c): LSB, BSD sysexits, and systemd's own 2xx codes. */
    private static final java.util.Map<String, String> EXIT_STATUS_NAMES = java.util.Map.ofEntries(
            java.util.Map.entry("SUCCESS", "0"),
            java.util.Map.entry("FAILURE", "1"),
            java.util.Map.entry("INVALIDARGUMENT", "2"),
            java.util.Map.entry("NOTIMPLEMENTED", "3"),
            java.util.Map.entry("NOPERMISSION", "4"),
            java.util.Map.entry("NOTINSTALLED", "5"),
            java.util.Map.entry("NOTCONFIGURED", "6"),
            java.util.Map.entry("NOTRUNNING", "7"),
            java.util.Map.entry("USAGE", "64"),
            java.util.Map.entry("DATAERR", "65"),
            java.util.Map.entry("NOINPUT", "66"),
            java.util.Map.entry("NOUSER", "67"),
            java.util.Map.entry("NOHOST", "68"),
            java.util.Map.entry("UNAVAILABLE", "69"),
            java.util.Map.entry("SOFTWARE", "70"),
            java.util.Map.entry("OSERR", "71"),
            java.util.Map.entry("OSFILE", "72"),
            java.util.Map.entry("CANTCREAT", "73"),
            java.util.Map.entry("IOERR", "74"),
            java.util.Map.entry("TEMPFAIL", "75"),
            java.util.Map.entry("PROTOCOL", "76"),
            java.util.Map.entry("NOPERM", "77"),
            java.util.Map.entry("CONFIG", "78"),
            java.util.Map.entry("CHDIR", "200"),
            java.util.Map.entry("NICE", "201"),
            java.util.Map.entry("FDS", "202"),
            java.util.Map.entry("EXEC", "203"),
            java.util.Map.entry("MEMORY", "204"),
            java.util.Map.entry("LIMITS", "205"),
            java.util.Map.entry("OOM_ADJUST", "206"),
            java.util.Map.entry("SIGNAL_MASK", "207"),
            java.util.Map.entry("STDIN", "208"),
            java.util.Map.entry("STDOUT", "209"),
            java.util.Map.entry("CHROOT", "210"),
            java.util.Map.entry("IOPRIO", "211"),
            java.util.Map.entry("TIMERSLACK", "212"),
            java.util.Map.entry("SECUREBITS", "213"),
            java.util.Map.entry("SETSCHEDULER", "214"),
            java.util.Map.entry("CPUAFFINITY", "215"),
            java.util.Map.entry("GROUP", "216"),
            java.util.Map.entry("USER", "217"),
            java.util.Map.entry("CAPABILITIES", "218"),
            java.util.Map.entry("CGROUP", "219"),
            java.util.Map.entry("SETSID", "220"),
            java.util.Map.entry("CONFIRM", "221"),
            java.util.Map.entry("STDERR", "222"),
            java.util.Map.entry("PAM", "224"),
            java.util.Map.entry("NETWORK", "225"),
            java.util.Map.entry("NAMESPACE", "226"),
            java.util.Map.entry("NO_NEW_PRIVILEGES", "227"),
            java.util.Map.entry("SECCOMP", "228"),
            java.util.Map.entry("SELINUX_CONTEXT", "229"),
            java.util.Map.entry("PERSONALITY", "230"),
            java.util.Map.entry("APPARMOR_PROFILE", "231"),
            java.util.Map.entry("ADDRESS_FAMILIES", "232"),
            java.util.Map.entry("RUNTIME_DIRECTORY", "233"),
            java.util.Map.entry("CHOWN", "235"),
            java.util.Map.entry("SMACK_PROCESS_LABEL", "236"),
            java.util.Map.entry("KEYRING", "237"),
            java.util.Map.entry("STATE_DIRECTORY", "238"),
            java.util.Map.entry("CACHE_DIRECTORY", "239"),
            java.util.Map.entry("LOGS_DIRECTORY", "240"),
            java.util.Map.entry("CONFIGURATION_DIRECTORY", "241"),
            java.util.Map.entry("NUMA_POLICY", "242"),
            java.util.Map.entry("CREDENTIALS", "243"),
            java.util.Map.entry("BPF", "245"));

    /**
     * {@code config_parse_set_status}: exit codes 0-255, exit status names, and signal names or numbers,
     * separated by whitespace. Codes come out as "75", signals as "SIGUSR1" (or "SIG10" when given as a number).
     */
    private static ValueParser<List<String>> exitStatusSet() {
        ValueParser<String> signal = signal();
        return (value, context) -> {
            List<String> statuses = new java.util.ArrayList<>();
            for (String word : value.trim().split("\\s+")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (word.chars().allMatch(Character::isDigit)) {
                    int code = word.length() > 3 ? 256 : Integer.parseInt(word);
                    if (code > 255) {
                        throw InvalidValueException.ignoring("Value " + word + " is outside range 0-255, ignoring");
                    }
                    statuses.add(Integer.toString(code));
                } else if (EXIT_STATUS_NAMES.containsKey(word)) {
                    statuses.add(EXIT_STATUS_NAMES.get(word));
                } else {
                    String s = signal.parse(word, context);
                    statuses.add(s.startsWith("SIG") ? s : "SIG" + s);
                }
            }
            return statuses;
        };
    }

    /** {@code config_parse_signal}: a name with or without SIG, or a number 1-64. */
    private static ValueParser<String> signal() {
        return (value, context) -> {
            String name = value.startsWith("SIG") ? value.substring(3) : value;
            if (dev.sockact.text.SignalNames.number(name) > 0) {
                return "SIG" + name;
            }
            try {
                long number = CNumbers.parseUnsigned32(value);
                if (number >= 1 && number <= 64) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // not a number either
            }
            throw InvalidValueException.ignoring("Failed to parse signal name, ignoring: " + value);
        };
    }

    /** {@code config_parse_service_timeout}: 0 means no timeout. */
    private static ValueParser<TimeSpan> serviceTimeout() {
        return (value, context) -> {
            try {
                TimeSpan span = TimeSpan.parseSec(value);
                return span.micros() == 0 ? TimeSpan.INFINITY : span;
            } catch (NumberFormatException e) {
                throw InvalidValueException.ignoring(
                        "Failed to parse " + context.key() + "= parameter, ignoring: " + value);
            }
        };
    }

    /** {@code config_parse_working_directory}: an absolute path, {@code ~}, optionally prefixed with {@code -}. */
    private static void workingDirectory(ServiceUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        if (value.isEmpty()) {
            b.workingDirectory("");
            return;
        }
        boolean missingOk = value.startsWith("-");
        String path = context.expandFull(missingOk ? value.substring(1) : value);
        if (!path.equals("~") && !path.startsWith("/")) {
            throw InvalidValueException.fatal("WorkingDirectory= path is not absolute: " + path);
        }
        b.workingDirectory((missingOk ? "-" : "") + path);
    }
}
