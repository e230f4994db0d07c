package dev.sockact.unit.parse;

import dev.sockact.unit.BindIPv6Only;
import dev.sockact.unit.SocketKind;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.TimeSpan;
import dev.sockact.unit.Timestamping;
import dev.sockact.unit.UnitName;

import java.nio.file.Path;
import java.util.Map;

/** The [Socket] table: every key of systemd.socket(5), in the order of load-fragment-gperf.gperf.in. */
public final class SocketDirectives {

    private static final Map<String, Integer> IP_TOS = Map.of(
            "low-delay", 0x10, "throughput", 0x08, "reliability", 0x04, "low-cost", 0x02);

    public static final DirectiveTable<SocketUnit.Builder> SOCKET = DirectiveTable.<SocketUnit.Builder>section("Socket")
            .list("ListenStream", ListenParser.socket(SocketKind.STREAM), SocketUnit.Builder::listens)
            .list("ListenDatagram", ListenParser.socket(SocketKind.DATAGRAM), SocketUnit.Builder::listens)
            .list("ListenSequentialPacket", ListenParser.socket(SocketKind.SEQPACKET), SocketUnit.Builder::listens)
            .list("ListenNetlink", ListenParser.netlink(), SocketUnit.Builder::listens)
            .list("ListenFIFO", ListenParser.path("ListenFIFO"), SocketUnit.Builder::listens)
            .list("ListenSpecial", ListenParser.path("ListenSpecial"), SocketUnit.Builder::listens)
            .list("ListenMessageQueue", ListenParser.path("ListenMessageQueue"), SocketUnit.Builder::listens)
            .refused("ListenUSBFunction", DirectiveTable.SYSTEMD_252, "FunctionFS endpoints are not implemented")
            .resettable("SocketProtocol", Values.oneOf(Map.of("udplite", "udplite", "sctp", "sctp"),
                    "Failed to parse socket protocol"), SocketUnit.Builder::socketProtocol,
                    b -> b.socketProtocol(null))
            .one("BindIPv6Only", bindIPv6Only(), SocketUnit.Builder::bindIPv6Only)
            .one("Backlog", Values.unsigned(), SocketUnit.Builder::backlog)
            .custom("BindToDevice", SocketDirectives::bindToDevice)
            .listOfMany("ExecStartPre", new ExecLineParser(), SocketUnit.Builder::execStartPre)
            .listOfMany("ExecStartPost", new ExecLineParser(), SocketUnit.Builder::execStartPost)
            .listOfMany("ExecStopPre", new ExecLineParser(), SocketUnit.Builder::execStopPre)
            .listOfMany("ExecStopPost", new ExecLineParser(), SocketUnit.Builder::execStopPost)
            .one("TimeoutSec", timeValueFix0(), SocketUnit.Builder::timeout)
            .one("SocketUser", UserNames.userOrGroup(), SocketUnit.Builder::socketUser)
            .one("SocketGroup", UserNames.userOrGroup(), SocketUnit.Builder::socketGroup)
            .one("SocketMode", Values.mode(), SocketUnit.Builder::socketMode)
            .one("DirectoryMode", Values.mode(), SocketUnit.Builder::directoryMode)
            .one("Accept", Values.bool(), SocketUnit.Builder::accept)
            .one("FlushPending", Values.bool(), SocketUnit.Builder::flushPending)
            .notActedOn("FlushPending")
            .one("Writable", Values.bool(), SocketUnit.Builder::writable)
            .one("MaxConnections", Values.unsigned(), SocketUnit.Builder::maxConnections)
            .one("MaxConnectionsPerSource", Values.unsigned(), SocketUnit.Builder::maxConnectionsPerSource)
            .one("KeepAlive", Values.bool(), SocketUnit.Builder::keepAlive)
            .one("KeepAliveTimeSec", Values.sec(), SocketUnit.Builder::keepAliveTime)
            .one("KeepAliveIntervalSec", Values.sec(), SocketUnit.Builder::keepAliveInterval)
            .one("KeepAliveProbes", Values.unsigned(), SocketUnit.Builder::keepAliveProbes)
            .one("DeferAcceptSec", Values.sec(), SocketUnit.Builder::deferAccept)
            .one("DeferAccept", deferAccept(), SocketUnit.Builder::deferAccept)
            .notInSystemd252("DeferAccept", "systemd knows only DeferAcceptSec= (it says \"Unknown key\" and"
                    + " ignores DeferAccept=); write DeferAcceptSec= for a unit that also loads under systemd.")
            .one("NoDelay", Values.bool(), SocketUnit.Builder::noDelay)
            .one("Priority", Values.integer(), SocketUnit.Builder::priority)
            .one("ReceiveBuffer", Values.iecSize(), SocketUnit.Builder::receiveBuffer)
            .one("SendBuffer", Values.iecSize(), SocketUnit.Builder::sendBuffer)
            .resettable("IPTOS", ipTos(), SocketUnit.Builder::ipTos, b -> b.ipTos(-1))
            .one("IPTTL", Values.integer(), SocketUnit.Builder::ipTtl)
            .one("Mark", Values.integer(), SocketUnit.Builder::mark)
            .one("PipeSize", Values.iecSize(), SocketUnit.Builder::pipeSize)
            .one("FreeBind", Values.bool(), SocketUnit.Builder::freeBind)
            .one("Transparent", Values.bool(), SocketUnit.Builder::transparent)
            .one("Broadcast", Values.bool(), SocketUnit.Builder::broadcast)
            .one("PassCredentials", Values.bool(), SocketUnit.Builder::passCredentials)
            .one("PassSecurity", Values.bool(), SocketUnit.Builder::passSecurity)
            .one("PassPacketInfo", Values.bool(), SocketUnit.Builder::passPacketInfo)
            .one("Timestamping", timestamping(), SocketUnit.Builder::timestamping)
            .one("TCPCongestion", Values.string(), SocketUnit.Builder::tcpCongestion)
            .one("ReusePort", Values.bool(), SocketUnit.Builder::reusePort)
            .one("MessageQueueMaxMessages", Values.longValue(), SocketUnit.Builder::messageQueueMaxMessages)
            .one("MessageQueueMessageSize", Values.longValue(), SocketUnit.Builder::messageQueueMessageSize)
            .one("RemoveOnStop", Values.bool(), SocketUnit.Builder::removeOnStop)
            .custom("Symlinks", (b, value, context) -> {
                if (value.isEmpty()) {
                    b.symlinks().clear();
                    return;
                }
                for (String path : ListParsers.absolutePaths().parse(value, context)) {
                    b.symlinks().add(Path.of(path));
                }
            })
            .custom("FileDescriptorName", SocketDirectives::fileDescriptorName)
            .custom("Service", SocketDirectives::service)
            .one("TriggerLimitIntervalSec", Values.sec(), SocketUnit.Builder::triggerLimitInterval)
            .one("TriggerLimitBurst", Values.unsigned(), SocketUnit.Builder::triggerLimitBurst)
            .one("PollLimitIntervalSec", Values.sec(), SocketUnit.Builder::pollLimitInterval)
            .notInSystemd252("PollLimitIntervalSec", 255, newer("PollLimitIntervalSec", 255))
            .one("PollLimitBurst", Values.unsigned(), SocketUnit.Builder::pollLimitBurst)
            .notInSystemd252("PollLimitBurst", 255, newer("PollLimitBurst", 255))
            .one("PassPIDFD", Values.bool(), SocketUnit.Builder::passPidfd)
            .notInSystemd252("PassPIDFD", 258, newer("PassPIDFD", 258))
            .one("AcceptFileDescriptors", Values.bool(), SocketUnit.Builder::acceptFileDescriptors)
            .notInSystemd252("AcceptFileDescriptors", 258, newer("AcceptFileDescriptors", 258))
            .one("PassFileDescriptorsToExec", Values.bool(), SocketUnit.Builder::passFileDescriptorsToExec)
            .notInSystemd252("PassFileDescriptorsToExec", 256, newer("PassFileDescriptorsToExec", 256))
            // systemd 258 starts the service with a "lenient" job that waits for conflicting units to stop; sockact's
            // jobs have no such mode, so a socket that asks for it would fail where systemd's waits.
            .refused("DeferTrigger", 258, "a start job that waits for conflicting units to stop is not"
                    + " implemented")
            .refused("DeferTriggerMaxSec", 258, "it bounds DeferTrigger=, which sockact does not implement")
            .unsupported(Systemd252Keys.of("Socket"))
            .build();

    private SocketDirectives() {
    }

    private static String newer(String key, int version) {
        return key + "= is new in systemd " + version + "; systemd 252 says \"Unknown key\" and ignores it.";
    }

    /** {@code config_parse_sec_fix_0} as socket and service keys report it. */
    static ValueParser<TimeSpan> timeValueFix0() {
        return (value, context) -> {
            try {
                TimeSpan span = TimeSpan.parseSec(value);
                return span.micros() == 0 ? TimeSpan.INFINITY : span;
            } catch (NumberFormatException e) {
                throw InvalidValueException.ignoring("Failed to parse time value, ignoring: " + value);
            }
        };
    }

    /** {@code socket_address_bind_ipv6_only_or_bool_from_string()}. */
    private static ValueParser<BindIPv6Only> bindIPv6Only() {
        return (value, context) -> {
            Boolean bool = Values.parseBoolean(value);
            if (bool != null) {
                return bool ? BindIPv6Only.IPV6_ONLY : BindIPv6Only.BOTH;
            }
            for (BindIPv6Only mode : BindIPv6Only.values()) {
                if (mode.text().equals(value)) {
                    return mode;
                }
            }
            throw InvalidValueException.ignoring("Failed to parse bind IPv6 only value, ignoring: " + value);
        };
    }

    /** {@code ip_tos_from_string()}: a name or 0-255. */
    private static ValueParser<Integer> ipTos() {
        return (value, context) -> {
            Integer named = IP_TOS.get(value);
            if (named != null) {
                return named;
            }
            try {
                long tos = CNumbers.parseUnsigned32(value);
                if (tos <= 0xff) {
                    return (int) tos;
                }
            } catch (NumberFormatException e) {
                // fall through to the message
            }
            throw InvalidValueException.ignoring("Failed to parse IP TOS value, ignoring: " + value);
        };
    }

    /** {@code config_parse_socket_timestamping}: off/us/usec/µs/ns/nsec or a boolean (yes means ns). */
    private static ValueParser<Timestamping> timestamping() {
        return (value, context) -> {
            switch (value) {
                case "off": return Timestamping.OFF;
                case "us", "usec", "\u00b5s": return Timestamping.MICROSECONDS;
                case "ns", "nsec": return Timestamping.NANOSECONDS;
                default:
                    Boolean bool = Values.parseBoolean(value);
                    if (bool != null) {
                        return bool ? Timestamping.NANOSECONDS : Timestamping.OFF;
                    }
                    throw InvalidValueException.ignoring(
                            "Failed to parse timestamping precision, ignoring: " + value);
            }
        };
    }

    /**
     * DeferAccept= (sockact extension, from the reference this project follows): a boolean or a time span. A true
     * boolean means one second, the shortest wait TCP_DEFER_ACCEPT rounds to.
     */
    private static ValueParser<TimeSpan> deferAccept() {
        return (value, context) -> {
            Boolean bool = Values.parseBoolean(value);
            if (bool != null) {
                return bool ? TimeSpan.ofSeconds(1) : TimeSpan.ZERO;
            }
            try {
                return TimeSpan.parseSec(value);
            } catch (NumberFormatException e) {
                throw InvalidValueException.ignoring("Failed to parse DeferAccept= value, ignoring: " + value);
            }
        };
    }

    /** {@code config_parse_socket_bindtodevice}: {@code *} or empty clears. */
    private static void bindToDevice(SocketUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        if (value.isEmpty() || value.equals("*")) {
            b.bindToDevice(null);
            return;
        }
        if (!InterfaceNames.isValid(value)) {
            throw InvalidValueException.ignoring("Invalid interface name, ignoring: " + value);
        }
        b.bindToDevice(value);
    }

    /** {@code config_parse_fdname}: empty resets to the default (the unit name). */
    private static void fileDescriptorName(SocketUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        if (value.isEmpty()) {
            b.fileDescriptorName(null);
            return;
        }
        String name = context.expand(value, Specifiers.Table.NAME, Specifiers.PATH_MAX,
                "Failed to resolve unit specifiers in %s, ignoring: %s");
        if (!isValidFdName(name)) {
            throw InvalidValueException.ignoring("Invalid file descriptor name, ignoring: " + name);
        }
        b.fileDescriptorName(name);
    }

    /** {@code fdname_is_valid()}: printable ASCII without {@code :}, at most 255 characters. */
    public static boolean isValidFdName(String name) {
        if (name.length() > 255) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == ':') {
                return false;
            }
        }
        return true;
    }

    /** {@code config_parse_socket_service}: a .service name, name specifiers expanded. */
    private static void service(SocketUnit.Builder b, String value, ParseContext context)
            throws InvalidValueException {
        String name = context.expand(value, Specifiers.Table.NAME, UnitName.MAX_LENGTH,
                "Failed to resolve specifiers in %s, ignoring: %s");
        if (!name.endsWith(".service")) {
            throw InvalidValueException.ignoring("Unit must be of type service, ignoring: " + value);
        }
        UnitName parsed = UnitName.parse(name).orElseThrow(() -> InvalidValueException.ignoring(
                "Failed to load unit " + name + ", ignoring: " + Errno.EINVAL.text()));
        b.service(parsed);
    }
}
