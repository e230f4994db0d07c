package dev.sockact.unit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded {@code .service} unit: the parts of systemd.service(5) and systemd.exec(5) a socket-activated service
 * needs, with systemd's defaults. {@code environment} holds {@code NAME=value} assignments in file order.
 *
 * @param type           Type=, default {@link ServiceType#SIMPLE}, or {@link ServiceType#ONESHOT} without ExecStart=
 * @param restart        Restart=, default {@link RestartPolicy#NO}
 * @param umask          UMask=, default 0022
 * @param standardInput  StandardInput=, default {@code null}
 * @param standardOutput StandardOutput=, default {@code journal}, or {@code inherit} with StandardInput=socket (or
 *                       fd:); StandardError=, default {@code inherit}
 * @param syslogLevel    SyslogLevel= and SyslogLevelPrefix= (output and logs, issue 15)
 * @param killMode       KillMode=, default {@link KillMode#CONTROL_GROUP}
 * @param notifyAccess   NotifyAccess=, default {@code main} for Type=notify or with WatchdogSec=, else {@code none}
 * @param privateNetwork PrivateNetwork=: the commands run in a network namespace with only loopback
 * @param privateTmp     PrivateTmp=: the commands get a /tmp and /var/tmp of their own
 * @param directories    RuntimeDirectory= and its siblings, their modes, RuntimeDirectoryPreserve=
 * @param dynamicUser    DynamicUser=: run as the static user of that name (User=, or the unit's prefix)
 * @param process        the process the commands run in: limits, scheduling, capabilities
 * @param hostProxy      X-SockactHostProxy= (sockact's, ignored by systemd), default yes: sockactd may forward a
 *                       socket-proxyd ExecStart= itself instead of spawning it (see docs/sockactd.md)
 */
public record ServiceUnit(UnitName name, Path fragmentPath, List<Path> dropInPaths, UnitInfo unit,
                          ServiceType type, List<ExecCommand> execCondition, List<ExecCommand> execStartPre,
                          List<ExecCommand> execStart, List<ExecCommand> execStartPost,
                          List<ExecCommand> execReload, List<ExecCommand> execStop, List<ExecCommand> execStopPost,
                          String user, String group, String workingDirectory, List<String> environment,
                          List<String> environmentFiles, List<String> passEnvironment,
                          List<String> unsetEnvironment, StandardInput standardInput,
                          StandardOutput standardOutput, StandardOutput standardError, String syslogIdentifier,
                          SyslogLevel syslogLevel,
                          int umask, RestartPolicy restart,
                          TimeSpan restartSec, TimeSpan timeoutStart, TimeSpan timeoutStop,
                          boolean remainAfterExit, KillMode killMode, KillSignal killSignal, List<String> sockets,
                          boolean nonBlocking, long fileDescriptorStoreMax, String pidFile,
                          TimeSpan watchdog, NotifyAccess notifyAccess, ExitStatusSet successExitStatus,
                          ExitStatusSet restartPreventExitStatus, boolean privateNetwork, boolean privateTmp,
                          // Directories part (issue 15):
                          ExecDirectories directories, boolean dynamicUser,
                          ProcessSettings process, List<OpenFile> openFiles, boolean hostProxy) {

    public ServiceUnit {
        dropInPaths = List.copyOf(dropInPaths);
        execCondition = List.copyOf(execCondition);
        execStartPre = List.copyOf(execStartPre);
        execStart = List.copyOf(execStart);
        execStartPost = List.copyOf(execStartPost);
        execReload = List.copyOf(execReload);
        execStop = List.copyOf(execStop);
        execStopPost = List.copyOf(execStopPost);
        environment = List.copyOf(environment);
        environmentFiles = List.copyOf(environmentFiles);
        passEnvironment = List.copyOf(passEnvironment);
        unsetEnvironment = List.copyOf(unsetEnvironment);
        sockets = List.copyOf(sockets);
        openFiles = List.copyOf(openFiles);
    }

    /**
     * The same settings under another name: another instance of the same template, whose files expanded no
     * specifier naming the instance (the settings are then the instance's as they are).
     */
    public ServiceUnit withName(UnitName other) {
        return new ServiceUnit(other, fragmentPath, dropInPaths, unit, type, execCondition, execStartPre, execStart,
                execStartPost, execReload, execStop, execStopPost, user, group, workingDirectory, environment,
                environmentFiles, passEnvironment, unsetEnvironment, standardInput, standardOutput, standardError,
                syslogIdentifier, syslogLevel, umask, restart, restartSec, timeoutStart, timeoutStop,
                remainAfterExit, killMode, killSignal, sockets, nonBlocking, fileDescriptorStoreMax, pidFile,
                watchdog, notifyAccess, successExitStatus, restartPreventExitStatus, privateNetwork, privateTmp,
                directories, dynamicUser, process, openFiles, hostProxy);
    }

    /** Every command of the unit, for checks that apply to all of them. */
    public List<ExecCommand> allCommands() {
        List<ExecCommand> all = new ArrayList<>();
        for (List<ExecCommand> list : List.of(execCondition, execStartPre, execStart, execStartPost, execReload,
                execStop, execStopPost)) {
            all.addAll(list);
        }
        return all;
    }

    /** Collects settings while the unit's files are parsed. */
    public static final class Builder {
        private final UnitName name;
        private Path fragmentPath;
        private final List<Path> dropInPaths = new ArrayList<>();
        private final UnitInfo.Builder unit = new UnitInfo.Builder();
        private ServiceType type;
        private final List<OpenFile> openFiles = new ArrayList<>();
        private final List<ExecCommand> execCondition = new ArrayList<>();
        private final List<ExecCommand> execStartPre = new ArrayList<>();
        private final List<ExecCommand> execStart = new ArrayList<>();
        private final List<ExecCommand> execStartPost = new ArrayList<>();
        private final List<ExecCommand> execReload = new ArrayList<>();
        private final List<ExecCommand> execStop = new ArrayList<>();
        private final List<ExecCommand> execStopPost = new ArrayList<>();
        private String user = "";
        private String group = "";
        private String workingDirectory = "";
        private final List<String> environment = new ArrayList<>();
        private final List<String> environmentFiles = new ArrayList<>();
        private final List<String> passEnvironment = new ArrayList<>();
        private final List<String> unsetEnvironment = new ArrayList<>();
        private StandardInput standardInput = StandardInput.Source.NULL;
        /** Null until set: its default depends on StandardInput=. */
        private StandardOutput standardOutput;
        private StandardOutput standardError = StandardOutput.Sink.INHERIT;
        private String syslogIdentifier = "";
        // Output and logs (issue 15): SyslogLevel=, SyslogLevelPrefix=.
        private int syslogPriority = SyslogLevel.INFO;
        private boolean syslogLevelPrefix = true;
        private int umask = 0022;
        private RestartPolicy restart = RestartPolicy.NO;
        private TimeSpan restartSec = new TimeSpan(100_000);
        private TimeSpan timeoutStart = SocketUnit.DEFAULT_TIMEOUT;
        private TimeSpan timeoutStop = SocketUnit.DEFAULT_TIMEOUT;
        private boolean remainAfterExit;
        private KillMode killMode = KillMode.CONTROL_GROUP;
        private KillSignal killSignal = KillSignal.SIGTERM;
        /** SuccessExitStatus=: exit codes and signals that also count as success. */
        private final List<ExitStatusSet.Member> successExitStatus = new ArrayList<>();
        /** RestartPreventExitStatus=: exit codes and signals after which Restart= does not restart. */
        private final List<ExitStatusSet.Member> restartPreventExitStatus = new ArrayList<>();
        private final List<String> sockets = new ArrayList<>();
        private boolean nonBlocking;
        private long fileDescriptorStoreMax;
        private String pidFile = "";
        private TimeSpan watchdog = TimeSpan.ZERO;
        private NotifyAccess notifyAccess;
        private boolean privateNetwork;
        private boolean privateTmp;
        // Directories part (issue 15):
        private final ExecDirectories.Builder directories = new ExecDirectories.Builder();
        private boolean dynamicUser;
        // The process the commands run in (Limit*=, Nice=, capabilities...).
        private final ProcessSettings.Builder process = new ProcessSettings.Builder();
        private boolean hostProxy = true;

        public Builder(UnitName name) {
            this.name = name;
        }

        public UnitName name() { return name; }
        public void fragmentPath(Path value) { fragmentPath = value; }
        public List<Path> dropInPaths() { return dropInPaths; }
        public UnitInfo.Builder unit() { return unit; }
        public void type(ServiceType value) { type = value; }
        public List<ExecCommand> execCondition() { return execCondition; }
        public List<ExecCommand> execStartPre() { return execStartPre; }
        public List<ExecCommand> execStart() { return execStart; }
        public List<ExecCommand> execStartPost() { return execStartPost; }
        public List<ExecCommand> execReload() { return execReload; }
        public List<ExecCommand> execStop() { return execStop; }
        public List<ExecCommand> execStopPost() { return execStopPost; }
        public void user(String value) { user = value; }
        public void group(String value) { group = value; }
        public void workingDirectory(String value) { workingDirectory = value; }
        public List<String> environment() { return environment; }
        public List<String> environmentFiles() { return environmentFiles; }
        public List<String> passEnvironment() { return passEnvironment; }
        public List<String> unsetEnvironment() { return unsetEnvironment; }
        public void standardInput(StandardInput value) { standardInput = value; }
        public void standardOutput(StandardOutput value) { standardOutput = value; }
        public void standardError(StandardOutput value) { standardError = value; }
        public void syslogIdentifier(String value) { syslogIdentifier = value; }
        public void syslogLevel(int value) { syslogPriority = value; }
        public void syslogLevelPrefix(boolean value) { syslogLevelPrefix = value; }
        public void umask(int value) { umask = value; }
        public void restart(RestartPolicy value) { restart = value; }
        public void restartSec(TimeSpan value) { restartSec = value; }
        public void timeoutStart(TimeSpan value) { timeoutStart = value; }
        public void timeoutStop(TimeSpan value) { timeoutStop = value; }
        public void remainAfterExit(boolean value) { remainAfterExit = value; }
        public void killMode(KillMode value) { killMode = value; }
        public void killSignal(KillSignal value) { killSignal = value; }
        public List<ExitStatusSet.Member> successExitStatus() { return successExitStatus; }
        public List<ExitStatusSet.Member> restartPreventExitStatus() { return restartPreventExitStatus; }
        public List<String> sockets() { return sockets; }
        public void nonBlocking(boolean value) { nonBlocking = value; }
        public void fileDescriptorStoreMax(long value) { fileDescriptorStoreMax = value; }
        public void pidFile(String value) { pidFile = value; }
        public void watchdog(TimeSpan value) { watchdog = value; }
        public void notifyAccess(NotifyAccess value) { notifyAccess = value; }
        public void privateNetwork(boolean value) { privateNetwork = value; }
        public void privateTmp(boolean value) { privateTmp = value; }
        // Directories part (issue 15):
        public ExecDirectories.Builder directories() { return directories; }
        public void dynamicUser(boolean value) { dynamicUser = value; }
        public ProcessSettings.Builder process() { return process; }
        public List<OpenFile> openFiles() { return openFiles; }
        public void hostProxy(boolean value) { hostProxy = value; }

        /**
         * Freezes the settings. Type= defaults to {@code simple}, or {@code oneshot} when there is no ExecStart=
         * (service_add_extras()); DynamicUser=yes implies PrivateTmp=yes and, without User=, the user named as the
         * unit's prefix (unit_patch_contexts()). StandardOutput= defaults to
         * {@code inherit} when StandardInput= is a socket or an fd (systemd.exec(5)), else to {@code journal}.
         */
        public ServiceUnit build() {
            ServiceType effectiveType = type != null ? type
                    : (execStart.isEmpty() ? ServiceType.ONESHOT : ServiceType.SIMPLE);
            NotifyAccess effectiveNotifyAccess = notifyAccess != null ? notifyAccess
                    : (effectiveType.isNotify() || !watchdog.equals(TimeSpan.ZERO) ? NotifyAccess.MAIN
                    : NotifyAccess.NONE);
            StandardOutput effectiveOutput = standardOutput != null ? standardOutput
                    : standardInput.isSocket() || standardInput instanceof StandardInput.Fd ? StandardOutput.Sink.INHERIT
                    : StandardOutput.Sink.JOURNAL;
            // DynamicUser= without User= runs as the unit's prefix (user_from_unit_name()).
            String effectiveUser = dynamicUser && user.isEmpty() ? name.prefix() : user;
            return new ServiceUnit(name, fragmentPath, dropInPaths, unit.build(), effectiveType, execCondition,
                    execStartPre, execStart, execStartPost, execReload, execStop, execStopPost, effectiveUser, group,
                    workingDirectory, environment, environmentFiles, passEnvironment, unsetEnvironment,
                    standardInput, effectiveOutput, standardError, syslogIdentifier,
                    new SyslogLevel(syslogPriority, syslogLevelPrefix), umask, restart, restartSec,
                    timeoutStart, timeoutStop, remainAfterExit, killMode, killSignal, sockets, nonBlocking,
                    fileDescriptorStoreMax, pidFile, watchdog, effectiveNotifyAccess,
                    ExitStatusSet.of(successExitStatus), ExitStatusSet.of(restartPreventExitStatus), privateNetwork,
                    privateTmp || dynamicUser, directories.build(), dynamicUser,
                    process.build(), openFiles, hostProxy);
        }
    }
}
