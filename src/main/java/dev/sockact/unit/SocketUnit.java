package dev.sockact.unit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded {@code .socket} unit with every value systemd's defaults give when the file leaves it unset.
 * Built by {@link Builder#build()} after all files (fragment and drop-ins) are applied.
 *
 * @param serviceOverride the Service= setting, or {@code null}: use {@link #serviceName()}
 * @param triggerLimitBurst 0 disables the trigger limit, as does a zero interval
 * @param fileDescriptorName FileDescriptorName=, else the unit's name
 * @param fileDescriptorNameGiven whether FileDescriptorName= was set (an Accept=yes connection is named after it
 *                                then, else "connection": socket_fdname() of systemd 257)
 */
public record SocketUnit(UnitName name, Path fragmentPath, List<Path> dropInPaths, UnitInfo unit,
                         List<ListenSpec> listens, boolean accept, UnitName serviceOverride, SocketOptions options,
                         String socketUser, String socketGroup, int socketMode, int directoryMode,
                         List<Path> symlinks, boolean removeOnStop, boolean writable, boolean flushPending,
                         long maxConnections, long maxConnectionsPerSource,
                         TimeSpan triggerLimitInterval, long triggerLimitBurst,
                         TimeSpan pollLimitInterval, long pollLimitBurst,
                         String fileDescriptorName, boolean fileDescriptorNameGiven, TimeSpan timeout,
                         DeferTrigger deferTrigger, TimeSpan deferTriggerMax, boolean passFileDescriptorsToExec,
                         List<ExecCommand> execStartPre, List<ExecCommand> execStartPost,
                         List<ExecCommand> execStopPre, List<ExecCommand> execStopPost) {

    public static final int DEFAULT_SOCKET_MODE = 0666;
    public static final int DEFAULT_DIRECTORY_MODE = 0755;
    public static final long DEFAULT_MAX_CONNECTIONS = 64;
    /** The manager's DefaultTimeoutStartSec=. */
    public static final TimeSpan DEFAULT_TIMEOUT = TimeSpan.ofSeconds(90);

    public SocketUnit {
        dropInPaths = List.copyOf(dropInPaths);
        listens = List.copyOf(listens);
        symlinks = List.copyOf(symlinks);
        execStartPre = List.copyOf(execStartPre);
        execStartPost = List.copyOf(execStartPost);
        execStopPre = List.copyOf(execStopPre);
        execStopPost = List.copyOf(execStopPost);
    }

    /**
     * The service this socket activates: Service= if given, otherwise the service of the same name; for
     * Accept=yes the template {@code NAME@.service}, whose instances are named per connection.
     */
    public UnitName serviceName() {
        if (serviceOverride != null) {
            return serviceOverride;
        }
        UnitName service = name.withSuffix(UnitType.SERVICE.suffix());
        return accept ? service.withInstance("") : service;
    }

    /** The name of an Accept=yes connection's fd in LISTEN_FDNAMES (systemd 257; 252 always said "connection"). */
    public String connectionFdName() {
        return fileDescriptorNameGiven ? fileDescriptorName : "connection";
    }

    /** Collects settings while the unit's files are parsed. Setters are named after the keys. */
    public static final class Builder {
        private final UnitName name;
        private Path fragmentPath;
        private final List<Path> dropInPaths = new ArrayList<>();
        private final UnitInfo.Builder unit = new UnitInfo.Builder();
        private final List<ListenSpec> listens = new ArrayList<>();
        private boolean accept;
        private UnitName service;
        private BindIPv6Only bindIPv6Only = BindIPv6Only.DEFAULT;
        private long backlog = SocketOptions.DEFAULT_BACKLOG;
        private String bindToDevice;
        private String socketProtocol;
        private boolean keepAlive;
        private TimeSpan keepAliveTime = TimeSpan.ZERO;
        private TimeSpan keepAliveInterval = TimeSpan.ZERO;
        private long keepAliveProbes;
        private TimeSpan deferAccept = TimeSpan.ZERO;
        private boolean noDelay;
        private int priority = -1;
        private long receiveBuffer;
        private long sendBuffer;
        private int ipTos = -1;
        private int ipTtl = -1;
        private int mark = -1;
        private long pipeSize;
        private boolean freeBind;
        private boolean transparent;
        private boolean broadcast;
        private boolean passCredentials;
        private boolean passSecurity;
        private boolean passPacketInfo;
        private boolean passPidfd;
        private boolean acceptFileDescriptors = true;
        private Timestamping timestamping = Timestamping.OFF;
        private String tcpCongestion;
        private boolean reusePort;
        private long messageQueueMaxMessages;
        private long messageQueueMessageSize;
        private String socketUser = "";
        private String socketGroup = "";
        private int socketMode = DEFAULT_SOCKET_MODE;
        private int directoryMode = DEFAULT_DIRECTORY_MODE;
        private final List<Path> symlinks = new ArrayList<>();
        private boolean removeOnStop;
        private boolean writable;
        private boolean flushPending;
        private long maxConnections = DEFAULT_MAX_CONNECTIONS;
        private long maxConnectionsPerSource;
        private TimeSpan triggerLimitInterval;
        private Long triggerLimitBurst;
        private TimeSpan pollLimitInterval;
        private Long pollLimitBurst;
        private String fileDescriptorName;
        private TimeSpan timeout = DEFAULT_TIMEOUT;
        private DeferTrigger deferTrigger = DeferTrigger.NO;
        private TimeSpan deferTriggerMax = DEFAULT_TIMEOUT;
        private boolean passFileDescriptorsToExec;
        private final List<ExecCommand> execStartPre = new ArrayList<>();
        private final List<ExecCommand> execStartPost = new ArrayList<>();
        private final List<ExecCommand> execStopPre = new ArrayList<>();
        private final List<ExecCommand> execStopPost = new ArrayList<>();

        public Builder(UnitName name) {
            this.name = name;
        }

        public UnitName name() { return name; }
        public void fragmentPath(Path value) { fragmentPath = value; }
        public List<Path> dropInPaths() { return dropInPaths; }
        public UnitInfo.Builder unit() { return unit; }
        public List<ListenSpec> listens() { return listens; }
        public boolean accept() { return accept; }
        public void accept(boolean value) { accept = value; }
        public UnitName service() { return service; }
        public void service(UnitName value) { service = value; }
        public void bindIPv6Only(BindIPv6Only value) { bindIPv6Only = value; }
        public void backlog(long value) { backlog = value; }
        public void bindToDevice(String value) { bindToDevice = value; }
        public void socketProtocol(String value) { socketProtocol = value; }
        public void keepAlive(boolean value) { keepAlive = value; }
        public void keepAliveTime(TimeSpan value) { keepAliveTime = value; }
        public void keepAliveInterval(TimeSpan value) { keepAliveInterval = value; }
        public void keepAliveProbes(long value) { keepAliveProbes = value; }
        public void deferAccept(TimeSpan value) { deferAccept = value; }
        public void noDelay(boolean value) { noDelay = value; }
        public void priority(int value) { priority = value; }
        public void receiveBuffer(long value) { receiveBuffer = value; }
        public void sendBuffer(long value) { sendBuffer = value; }
        public void ipTos(int value) { ipTos = value; }
        public void ipTtl(int value) { ipTtl = value; }
        public void mark(int value) { mark = value; }
        public void pipeSize(long value) { pipeSize = value; }
        public void freeBind(boolean value) { freeBind = value; }
        public void transparent(boolean value) { transparent = value; }
        public void broadcast(boolean value) { broadcast = value; }
        public void passCredentials(boolean value) { passCredentials = value; }
        public void passSecurity(boolean value) { passSecurity = value; }
        public void passPacketInfo(boolean value) { passPacketInfo = value; }
        public void passPidfd(boolean value) { passPidfd = value; }
        public void acceptFileDescriptors(boolean value) { acceptFileDescriptors = value; }
        public void timestamping(Timestamping value) { timestamping = value; }
        public void tcpCongestion(String value) { tcpCongestion = value; }
        public void reusePort(boolean value) { reusePort = value; }
        public void messageQueueMaxMessages(long value) { messageQueueMaxMessages = value; }
        public void messageQueueMessageSize(long value) { messageQueueMessageSize = value; }
        public void socketUser(String value) { socketUser = value; }
        public void socketGroup(String value) { socketGroup = value; }
        public void socketMode(int value) { socketMode = value; }
        public void directoryMode(int value) { directoryMode = value; }
        public List<Path> symlinks() { return symlinks; }
        public void removeOnStop(boolean value) { removeOnStop = value; }
        public void writable(boolean value) { writable = value; }
        public void flushPending(boolean value) { flushPending = value; }
        public long maxConnections() { return maxConnections; }
        public void maxConnections(long value) { maxConnections = value; }
        public void maxConnectionsPerSource(long value) { maxConnectionsPerSource = value; }
        public void triggerLimitInterval(TimeSpan value) { triggerLimitInterval = value; }
        public void triggerLimitBurst(long value) { triggerLimitBurst = value; }
        public void pollLimitInterval(TimeSpan value) { pollLimitInterval = value; }
        public void pollLimitBurst(long value) { pollLimitBurst = value; }
        public void fileDescriptorName(String value) { fileDescriptorName = value; }
        public void timeout(TimeSpan value) { timeout = value; }
        public void deferTrigger(DeferTrigger value) { deferTrigger = value; }
        public void deferTriggerMax(TimeSpan value) { deferTriggerMax = value; }
        public void passFileDescriptorsToExec(boolean value) { passFileDescriptorsToExec = value; }
        public List<ExecCommand> execStartPre() { return execStartPre; }
        public List<ExecCommand> execStartPost() { return execStartPost; }
        public List<ExecCommand> execStopPre() { return execStopPre; }
        public List<ExecCommand> execStopPost() { return execStopPost; }

        /**
         * Freezes the settings, filling the defaults that depend on other settings (socket_add_extras()):
         * trigger limit 2 s with 200 (Accept=yes) or 20, poll limit 2 s with 150 or 15. Checks that span several
         * settings are the loader's job, so that they can be reported as diagnostics.
         */
        public SocketUnit build() {
            SocketOptions options = new SocketOptions(bindIPv6Only, backlog, bindToDevice, socketProtocol,
                    keepAlive, keepAliveTime, keepAliveInterval, keepAliveProbes, deferAccept, noDelay, priority,
                    receiveBuffer, sendBuffer, ipTos, ipTtl, mark, pipeSize, freeBind, transparent, broadcast,
                    passCredentials, passSecurity, passPacketInfo, passPidfd, acceptFileDescriptors,
                    timestamping, tcpCongestion, reusePort, messageQueueMaxMessages, messageQueueMessageSize);
            return new SocketUnit(name, fragmentPath, dropInPaths, unit.build(), listens, accept, service, options,
                    socketUser, socketGroup, socketMode, directoryMode, symlinks, removeOnStop, writable,
                    flushPending, maxConnections, maxConnectionsPerSource,
                    triggerLimitInterval != null ? triggerLimitInterval : TimeSpan.ofSeconds(2),
                    triggerLimitBurst != null ? triggerLimitBurst : (accept ? 200 : 20),
                    pollLimitInterval != null ? pollLimitInterval : TimeSpan.ofSeconds(2),
                    pollLimitBurst != null ? pollLimitBurst : (accept ? 150 : 15),
                    fileDescriptorName != null ? fileDescriptorName : name.toString(), fileDescriptorName != null,
                    timeout, deferTrigger, deferTriggerMax, passFileDescriptorsToExec,
                    execStartPre, execStartPost, execStopPre, execStopPost);
        }
    }
}
