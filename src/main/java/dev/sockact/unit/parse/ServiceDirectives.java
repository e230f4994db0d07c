package dev.sockact.unit.parse;

import dev.sockact.text.ExitStatusNames;
import dev.sockact.text.SignalNames;
import dev.sockact.unit.ExecDirectories;
import dev.sockact.unit.ExitStatusSet;
import dev.sockact.unit.KillMode;
import dev.sockact.unit.KillSignal;
import dev.sockact.unit.NotifyAccess;
import dev.sockact.unit.OpenFile;
import dev.sockact.unit.RestartPolicy;
import dev.sockact.unit.ServiceType;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.StandardInput;
import dev.sockact.unit.StandardOutput;
import dev.sockact.unit.SyslogLevel;
import dev.sockact.unit.TimeSpan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The [Service] table: what a socket-activated service needs from systemd.service(5) and systemd.exec(5). The
 * other 252 keys (sandboxing, cgroups, credentials...) are recognised and reported as not supported.
 */
public final class ServiceDirectives {

    public static final DirectiveTable<ServiceUnit.Builder> SERVICE =
            DirectiveTable.<ServiceUnit.Builder>section("Service")
            .one("Type", word(ServiceType.values(), ServiceType::text, "Failed to parse service type"),
                    ServiceUnit.Builder::type)
            .listOfMany("ExecCondition", new ExecLineParser(), ServiceUnit.Builder::execCondition)
            .notActedOn("ExecCondition")
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
            .one("StandardInput", standardInput(), ServiceUnit.Builder::standardInput)
            .one("StandardOutput", standardOutput(), ServiceUnit.Builder::standardOutput)
            .one("StandardError", standardOutput(), ServiceUnit.Builder::standardError)
            .one("SyslogIdentifier", Values.stringPrintf(), ServiceUnit.Builder::syslogIdentifier)
            .one("SyslogLevel", syslogLevel(), ServiceUnit.Builder::syslogLevel)
            .one("SyslogLevelPrefix", Values.bool(), ServiceUnit.Builder::syslogLevelPrefix)
            .one("UMask", Values.mode(), ServiceUnit.Builder::umask)
            .one("Restart", word(RestartPolicy.values(), RestartPolicy::text,
                            "Failed to parse service restart specifier"),
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
            .one("KillMode", word(KillMode.values(), KillMode::text, "Failed to parse kill mode specification"),
                    ServiceUnit.Builder::killMode)
            .one("KillSignal", killSignal(), ServiceUnit.Builder::killSignal)
            .listOfMany("SuccessExitStatus", exitStatusSet(), ServiceUnit.Builder::successExitStatus)
            .listOfMany("RestartPreventExitStatus", exitStatusSet(), ServiceUnit.Builder::restartPreventExitStatus)
            .appendOnly("Sockets", ListParsers.unitNames(), ServiceUnit.Builder::sockets)
            .list("OpenFile", openFile(), ServiceUnit.Builder::openFiles)
            .notInSystemd252("OpenFile", 253, "OpenFile= is new in systemd 253; systemd 252 says \"Unknown key\" and"
                    + " ignores it.")
            .one("NonBlocking", Values.bool(), ServiceUnit.Builder::nonBlocking)
            .notActedOn("NonBlocking")
            .one("FileDescriptorStoreMax", Values.unsigned(), ServiceUnit.Builder::fileDescriptorStoreMax)
            .notActedOn("FileDescriptorStoreMax")
            .one("PIDFile", Values.stringPrintf(), ServiceUnit.Builder::pidFile)
            .one("WatchdogSec", Values.sec(), ServiceUnit.Builder::watchdog)
            .notActedOn("WatchdogSec")
            .one("NotifyAccess", word(NotifyAccess.values(), NotifyAccess::text,
                            "Failed to parse notify access specifier"),
                    ServiceUnit.Builder::notifyAccess)
            .one("PrivateNetwork", Values.bool(), ServiceUnit.Builder::privateNetwork)
            .one("PrivateTmp", Values.bool(), ServiceUnit.Builder::privateTmp)
            // Directories part (issue 15):
            .custom("RuntimeDirectory", ExecDirectoryValues.paths(ExecDirectories.Kind.RUNTIME))
            .custom("StateDirectory", ExecDirectoryValues.paths(ExecDirectories.Kind.STATE))
            .custom("CacheDirectory", ExecDirectoryValues.paths(ExecDirectories.Kind.CACHE))
            .custom("LogsDirectory", ExecDirectoryValues.paths(ExecDirectories.Kind.LOGS))
            .custom("ConfigurationDirectory", ExecDirectoryValues.paths(ExecDirectories.Kind.CONFIGURATION))
            .custom("RuntimeDirectoryMode", ExecDirectoryValues.mode(ExecDirectories.Kind.RUNTIME))
            .custom("StateDirectoryMode", ExecDirectoryValues.mode(ExecDirectories.Kind.STATE))
            .custom("CacheDirectoryMode", ExecDirectoryValues.mode(ExecDirectories.Kind.CACHE))
            .custom("LogsDirectoryMode", ExecDirectoryValues.mode(ExecDirectories.Kind.LOGS))
            .custom("ConfigurationDirectoryMode", ExecDirectoryValues.mode(ExecDirectories.Kind.CONFIGURATION))
            .one("RuntimeDirectoryPreserve", ExecDirectoryValues.preserve(), (b, p) -> b.directories().preserve(p))
            .custom("DynamicUser", ExecDirectoryValues::dynamicUser)
            .include(ProcessDirectives::rows)
            // sockact's own (systemd ignores X- keys): "no" keeps a socket-proxyd ExecStart= a process.
            .one("X-SockactHostProxy", Values.bool(), ServiceUnit.Builder::hostProxy)
            .unsupported(Systemd252Keys.of("Service"))
            .build();

    /**
     * {@code open_file_parse()} of systemd 253: {@code PATH[:FD-NAME[:OPTIONS]]}, an absolute path, the name
     * (default: the file name) valid as a LISTEN_FDNAMES entry, options from read-only, append, truncate, graceful
     * (read-only excludes the other two, and append excludes truncate).
     */
    static ValueParser<OpenFile> openFile() {
        return (value, context) -> {
            String expanded = context.expandFull(value);
            String[] parts = expanded.split(":", -1);
            InvalidValueException bad = InvalidValueException.ignoring(
                    "Failed to parse OpenFile= setting, ignoring: " + value);
            if (parts.length > 3 || !parts[0].startsWith("/")) {
                throw bad;
            }
            Path path = Path.of(parts[0]).normalize();
            String name = parts.length > 1 && !parts[1].isEmpty() ? parts[1]
                    : path.getFileName() == null ? "" : path.getFileName().toString();
            if (name.isEmpty() || !SocketDirectives.isValidFdName(name)) {
                throw bad;
            }
            boolean readOnly = false;
            boolean append = false;
            boolean truncate = false;
            boolean graceful = false;
            if (parts.length == 3 && !parts[2].isEmpty()) {
                for (String option : parts[2].split(",", -1)) {
                    switch (option) {
                        case "read-only" -> readOnly = true;
                        case "append" -> append = true;
                        case "truncate" -> truncate = true;
                        case "graceful" -> graceful = true;
                        default -> throw bad;
                    }
                }
            }
            if ((readOnly && (append || truncate)) || (append && truncate)) {
                throw bad;
            }
            return new OpenFile(path, name, readOnly, append, truncate, graceful);
        };
    }

    private ServiceDirectives() {
    }

    /** A one-word setting: the constant whose unit-file word it is. */
    private static <E extends Enum<E>> ValueParser<E> word(E[] values, Function<E, String> text,
                                                           String messagePrefix) {
        return (value, context) -> {
            E found = lookup(values, text, value);
            if (found == null) {
                throw InvalidValueException.ignoring(messagePrefix + ", ignoring: " + value);
            }
            return found;
        };
    }

    private static <E> E lookup(E[] values, Function<E, String> text, String word) {
        for (E candidate : values) {
            if (text.apply(candidate).equals(word)) {
                return candidate;
            }
        }
        return null;
    }

    /** {@code config_parse_exec_input}: a fixed word, {@code fd:NAME} or {@code file:PATH}, after specifiers. */
    private static ValueParser<StandardInput> standardInput() {
        return (value, context) -> {
            String expanded = context.expandFull(value);
            StandardInput.Source source = lookup(StandardInput.Source.values(), StandardInput.Source::text, expanded);
            if (source != null) {
                return source;
            }
            if (expanded.startsWith("fd:")) {
                return new StandardInput.Fd(expanded.substring("fd:".length()));
            }
            if (expanded.startsWith("file:/")) {
                return new StandardInput.File(expanded.substring("file:".length()));
            }
            throw InvalidValueException.ignoring("Failed to parse input specifier, ignoring: " + value);
        };
    }

    /** {@code config_parse_log_level}: a syslog level name or 0..7. */
    private static ValueParser<Integer> syslogLevel() {
        return (value, context) -> {
            int priority = SyslogLevel.parse(value);
            if (priority < 0) {
                throw InvalidValueException.ignoring("Failed to parse log level, ignoring: " + value);
            }
            return priority;
        };
    }

    /**
     * {@code config_parse_exec_output}: a fixed word, {@code fd:NAME}, or {@code file:}, {@code append:},
     * {@code truncate:} with an absolute path, after specifiers.
     */
    private static ValueParser<StandardOutput> standardOutput() {
        return (value, context) -> {
            String expanded = context.expandFull(value);
            StandardOutput.Sink sink = lookup(StandardOutput.Sink.values(), StandardOutput.Sink::text, expanded);
            if (sink != null) {
                return sink;
            }
            if (expanded.startsWith("fd:")) {
                return new StandardOutput.Fd(expanded.substring("fd:".length()));
            }
            for (StandardOutput.FileMode mode : StandardOutput.FileMode.values()) {
                if (expanded.startsWith(mode.prefix() + ":/")) {
                    return new StandardOutput.File(mode, expanded.substring(mode.prefix().length() + 1));
                }
            }
            throw InvalidValueException.ignoring("Failed to parse output specifier, ignoring: " + value);
        };
    }

    /**
     * {@code config_parse_set_status}: exit codes 0-255, exit status names ({@link ExitStatusNames}), and signal
     * names, separated by whitespace.
     */
    private static ValueParser<List<ExitStatusSet.Member>> exitStatusSet() {
        return (value, context) -> {
            List<ExitStatusSet.Member> statuses = new ArrayList<>();
            for (String word : value.trim().split("\\s+")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (word.chars().allMatch(Character::isDigit)) {
                    int code = word.length() > 3 ? 256 : Integer.parseInt(word);
                    if (code > 255) {
                        throw InvalidValueException.ignoring("Value " + word + " is outside range 0-255, ignoring");
                    }
                    statuses.add(new ExitStatusSet.Code(code));
                } else if (ExitStatusNames.code(word) >= 0) {
                    statuses.add(new ExitStatusSet.Code(ExitStatusNames.code(word)));
                } else {
                    statuses.add(new ExitStatusSet.Signal(signalNumber(word)));
                }
            }
            return statuses;
        };
    }

    /** KillSignal=: a signal, kept with the word it was given as ("SIGTERM" for "TERM", "10" for 10). */
    private static ValueParser<KillSignal> killSignal() {
        return (value, context) -> {
            int number = signalNumber(value);
            boolean nameWithoutSig = SignalNames.number(value) > 0 && !value.startsWith("SIG");
            return new KillSignal(number, nameWithoutSig ? "SIG" + value : value);
        };
    }

    /** {@code config_parse_signal}: a name with or without SIG, or a number 1-64. */
    private static int signalNumber(String value) throws InvalidValueException {
        int named = SignalNames.number(value);
        if (named > 0) {
            return named;
        }
        try {
            long number = CNumbers.parseUnsigned32(value);
            if (number >= 1 && number <= 64) {
                return (int) number;
            }
        } catch (NumberFormatException e) {
            // not a number either
        }
        throw InvalidValueException.ignoring("Failed to parse signal name, ignoring: " + value);
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
