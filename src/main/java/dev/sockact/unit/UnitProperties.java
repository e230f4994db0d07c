package dev.sockact.unit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A unit as {@code systemctl show} prints it: property names and value formats of systemd's D-Bus properties
 * ({@code Listen=[::]:8080 (Stream)}, {@code KeepAliveTimeUSec=5min 20s}, {@code SocketMode=0666}, booleans as
 * yes/no). Properties that repeat ({@code Listen}, {@code ExecStart}) give one entry per value.
 */
public final class UnitProperties {

    private UnitProperties() {
    }

    public static List<Map.Entry<String, String>> of(SocketUnit s) {
        List<Map.Entry<String, String>> p = new ArrayList<>();
        common(p, s.name(), s.unit(), s.fragmentPath(), s.dropInPaths());
        add(p, "Triggers", s.serviceName().toString());
        SocketOptions o = s.options();
        add(p, "BindIPv6Only", o.bindIPv6Only().text());
        add(p, "Backlog", Long.toString(o.backlog()));
        add(p, "BindToDevice", o.bindToDevice() == null ? "" : o.bindToDevice());
        add(p, "SocketUser", s.socketUser());
        add(p, "SocketGroup", s.socketGroup());
        add(p, "SocketMode", mode(s.socketMode()));
        add(p, "DirectoryMode", mode(s.directoryMode()));
        add(p, "Accept", yesNo(s.accept()));
        add(p, "FlushPending", yesNo(s.flushPending()));
        add(p, "Writable", yesNo(s.writable()));
        add(p, "KeepAlive", yesNo(o.keepAlive()));
        add(p, "KeepAliveTimeUSec", o.keepAliveTime().format());
        add(p, "KeepAliveIntervalUSec", o.keepAliveInterval().format());
        add(p, "KeepAliveProbes", Long.toString(o.keepAliveProbes()));
        add(p, "DeferAcceptUSec", o.deferAccept().format());
        add(p, "NoDelay", yesNo(o.noDelay()));
        add(p, "Priority", Integer.toString(o.priority()));
        add(p, "ReceiveBuffer", Long.toString(o.receiveBuffer()));
        add(p, "SendBuffer", Long.toString(o.sendBuffer()));
        add(p, "IPTOS", Integer.toString(o.ipTos()));
        add(p, "IPTTL", Integer.toString(o.ipTtl()));
        add(p, "PipeSize", Long.toString(o.pipeSize()));
        add(p, "FreeBind", yesNo(o.freeBind()));
        add(p, "Transparent", yesNo(o.transparent()));
        add(p, "Broadcast", yesNo(o.broadcast()));
        add(p, "PassCredentials", yesNo(o.passCredentials()));
        add(p, "PassSecurity", yesNo(o.passSecurity()));
        add(p, "PassPacketInfo", yesNo(o.passPacketInfo()));
        add(p, "PassPIDFD", yesNo(o.passPidfd()));
        add(p, "AcceptFileDescriptors", yesNo(o.acceptFileDescriptors()));
        add(p, "PassFileDescriptorsToExec", yesNo(s.passFileDescriptorsToExec()));
        add(p, "Timestamping", o.timestamping().text());
        add(p, "RemoveOnStop", yesNo(s.removeOnStop()));
        add(p, "Symlinks", s.symlinks().stream().map(Path::toString).collect(Collectors.joining(" ")));
        add(p, "Mark", Integer.toString(o.mark()));
        add(p, "MaxConnections", Long.toString(s.maxConnections()));
        add(p, "MaxConnectionsPerSource", Long.toString(s.maxConnectionsPerSource()));
        add(p, "MessageQueueMaxMessages", Long.toString(o.messageQueueMaxMessages()));
        add(p, "MessageQueueMessageSize", Long.toString(o.messageQueueMessageSize()));
        add(p, "TCPCongestion", o.tcpCongestion() == null ? "" : o.tcpCongestion());
        add(p, "ReusePort", yesNo(o.reusePort()));
        add(p, "FileDescriptorName", s.fileDescriptorName());
        add(p, "SocketProtocol", o.socketProtocol() == null ? "0" : o.socketProtocol());
        add(p, "TriggerLimitIntervalUSec", s.triggerLimitInterval().format());
        add(p, "TriggerLimitBurst", Long.toString(s.triggerLimitBurst()));
        add(p, "PollLimitIntervalUSec", s.pollLimitInterval().format());
        add(p, "PollLimitBurst", Long.toString(s.pollLimitBurst()));
        add(p, "DeferTrigger", s.deferTrigger().text());
        add(p, "DeferTriggerMaxUSec", s.deferTriggerMax().format());
        add(p, "TimeoutUSec", s.timeout().format());
        for (ListenSpec listen : s.listens()) {
            add(p, "Listen", listen.display());
        }
        commands(p, "ExecStartPre", s.execStartPre());
        commands(p, "ExecStartPost", s.execStartPost());
        commands(p, "ExecStopPre", s.execStopPre());
        commands(p, "ExecStopPost", s.execStopPost());
        return p;
    }

    public static List<Map.Entry<String, String>> of(ServiceUnit s) {
        List<Map.Entry<String, String>> p = new ArrayList<>();
        common(p, s.name(), s.unit(), s.fragmentPath(), s.dropInPaths());
        add(p, "Type", s.type().text());
        add(p, "Restart", s.restart().text());
        add(p, "NotifyAccess", s.notifyAccess().text());
        add(p, "RestartUSec", s.restartSec().format());
        add(p, "TimeoutStartUSec", s.timeoutStart().format());
        add(p, "TimeoutStopUSec", s.timeoutStop().format());
        add(p, "WatchdogUSec", s.watchdog().format());
        add(p, "RemainAfterExit", yesNo(s.remainAfterExit()));
        add(p, "NonBlocking", yesNo(s.nonBlocking()));
        add(p, "FileDescriptorStoreMax", Long.toString(s.fileDescriptorStoreMax()));
        add(p, "PIDFile", s.pidFile());
        add(p, "User", s.user());
        add(p, "Group", s.group());
        add(p, "DynamicUser", yesNo(s.dynamicUser()));
        add(p, "RuntimeDirectoryPreserve", s.directories().preserve().text());
        for (ExecDirectories.Kind kind : ExecDirectories.Kind.values()) {
            add(p, kind.key() + "Mode", mode(s.directories().mode(kind)));
            add(p, kind.key(), String.join(" ", s.directories().paths(kind)));
        }
        add(p, "WorkingDirectory", s.workingDirectory());
        add(p, "Environment", String.join(" ", s.environment()));
        add(p, "EnvironmentFiles", String.join(" ", s.environmentFiles()));
        add(p, "PassEnvironment", String.join(" ", s.passEnvironment()));
        add(p, "UnsetEnvironment", String.join(" ", s.unsetEnvironment()));
        add(p, "StandardInput", s.standardInput().text());
        add(p, "StandardOutput", s.standardOutput().text());
        add(p, "StandardError", s.standardError().text());
        add(p, "SyslogIdentifier", s.syslogIdentifier());
        add(p, "SyslogLevelPrefix", yesNo(s.syslogLevel().prefix()));
        add(p, "SyslogLevel", Integer.toString(s.syslogLevel().priority()));
        add(p, "UMask", mode(s.umask()));
        add(p, "KillMode", s.killMode().text());
        add(p, "KillSignal", s.killSignal().text());
        add(p, "Sockets", String.join(" ", s.sockets()));
        commands(p, "ExecCondition", s.execCondition());
        commands(p, "ExecStartPre", s.execStartPre());
        commands(p, "ExecStart", s.execStart());
        commands(p, "ExecStartPost", s.execStartPost());
        commands(p, "ExecReload", s.execReload());
        commands(p, "ExecStop", s.execStop());
        commands(p, "ExecStopPost", s.execStopPost());
        return p;
    }

    private static void common(List<Map.Entry<String, String>> p, UnitName name, UnitInfo unit, Path fragment,
                               List<Path> dropIns) {
        add(p, "Id", name.toString());
        add(p, "Description", unit.description().isEmpty() ? name.toString() : unit.description());
        add(p, "LoadState", "loaded");
        add(p, "FragmentPath", fragment == null ? "" : fragment.toString());
        add(p, "DropInPaths", dropIns.stream().map(Path::toString).collect(Collectors.joining(" ")));
        add(p, "Documentation", String.join(" ", unit.documentation()));
        add(p, "Requires", String.join(" ", unit.requires()));
        add(p, "Wants", String.join(" ", unit.wants()));
        add(p, "BindsTo", String.join(" ", unit.bindsTo()));
        add(p, "PartOf", String.join(" ", unit.partOf()));
        add(p, "Conflicts", String.join(" ", unit.conflicts()));
        add(p, "Before", String.join(" ", unit.before()));
        add(p, "After", String.join(" ", unit.after()));
        add(p, "WantedBy", String.join(" ", unit.wantedBy()));
        add(p, "DefaultDependencies", yesNo(unit.defaultDependencies()));
    }

    private static void commands(List<Map.Entry<String, String>> p, String key, List<ExecCommand> commands) {
        for (ExecCommand command : commands) {
            add(p, key, command.display());
        }
    }

    private static void add(List<Map.Entry<String, String>> p, String key, String value) {
        p.add(Map.entry(key, value));
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    private static String mode(int mode) {
        return String.format("%04o", mode);
    }
}
