package dev.sockact.ctl;

import dev.sockact.ctl.ShownUnit.Property;
import dev.sockact.ctl.UnitStatus.Common;
import dev.sockact.ctl.UnitStatus.LogLine;
import dev.sockact.ctl.UnitStatus.UnitRef;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The control protocol's one codec: {@link Request}s and {@link Reply}s to one line of {@link Json} and back, each
 * line with the protocol version ({@link ControlProtocol#VERSION}).
 * <pre>
 * {"version":1,"command":"status","units":["foo.socket"],"lines":10}
 * {"version":1,"reply":"status","status":0,"data":[{"unit":"foo.socket",...}]}
 * {"version":1,"reply":"failure","status":4,"error":"Unit foo.socket could not be found."}
 * </pre>
 * {@code status} is the reply's exit status; {@code data} is what {@link #data} gives, the JSON that
 * {@code sockctl --output=json} prints. A line that is not JSON, is in another version, names an unknown command
 * or has a field of the wrong type is a {@link ProtocolException} with a message for the user.
 */
public final class ControlCodec {
    /** Most units one request may name. */
    public static final int MAX_UNITS = 1024;

    private ControlCodec() {
        throw new AssertionError();
    }

    /** A line that cannot be decoded; the message says why, for the user. */
    public static class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    /** A line in another protocol version than {@link ControlProtocol#VERSION}. */
    public static final class VersionMismatch extends ProtocolException {
        private static final long serialVersionUID = 1L;
        private final transient Object version;

        VersionMismatch(Object version, String message) {
            super(message);
            this.version = version;
        }

        /** The version the line gave (a number, or what stood in its place; null when it had none). */
        public Object version() {
            return version;
        }
    }

    // ---- requests --------------------------------------------------------------------------------------------

    public static String encode(Request request) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", ControlProtocol.VERSION);
        m.put("command", command(request));
        switch (request) {
            case Request.ListSockets _, Request.ListUnits _, Request.Reload _ -> {
            }
            case Request.Status s -> {
                m.put("units", s.units());
                m.put("lines", s.lines());
            }
            case Request.Show s -> m.put("units", s.units());
            case Request.Cat c -> m.put("units", c.units());
            case Request.Journal j -> {
                m.put("units", List.of(j.unit()));
                m.put("lines", j.lines());
                m.put("after", j.after());
                m.put("wait", j.follow());
            }
            case Request.Enable e -> m.put("units", e.units());
            case Request.Disable d -> m.put("units", d.units());
            case Request.ResetFailed r -> m.put("units", r.units());
            case Request.Job j -> m.put("units", j.units());
        }
        return Json.write(m);
    }

    /** The request's command word on the wire. */
    public static String command(Request request) {
        return switch (request) {
            case Request.ListSockets _ -> "list";
            case Request.ListUnits _ -> "list-units";
            case Request.Status _ -> "status";
            case Request.Show _ -> "show";
            case Request.Cat _ -> "cat";
            case Request.Journal _ -> "journal";
            case Request.Enable _ -> "enable";
            case Request.Disable _ -> "disable";
            case Request.Reload _ -> "reload";
            case Request.ResetFailed _ -> "reset-failed";
            case Request.Job j -> j.verb();
        };
    }

    /** Reads a request line; the exception's message is the error reply sockactd sends. */
    public static Request decodeRequest(String line) throws ProtocolException {
        Fields f = parse(line, "Bad request: ");
        Object version = f.map.get("version");
        if (!(version instanceof Long v) || v != ControlProtocol.VERSION) {
            throw new VersionMismatch(version, "Control protocol version " + Json.write(version)
                    + " is not supported by this sockactd (it speaks version " + ControlProtocol.VERSION + ").");
        }
        String command = f.string("command");
        return switch (command) {
            case "list" -> new Request.ListSockets();
            case "list-units" -> new Request.ListUnits();
            case "status" -> new Request.Status(f.units(), Math.clamp(f.number("lines"), 0, Integer.MAX_VALUE));
            case "show" -> new Request.Show(f.units());
            case "cat" -> new Request.Cat(f.units());
            case "journal" -> journalRequest(f);
            case "enable" -> new Request.Enable(f.units());
            case "disable" -> new Request.Disable(f.units());
            case "reload" -> new Request.Reload();
            case "reset-failed" -> new Request.ResetFailed(f.units());
            case "start" -> new Request.Start(f.units());
            case "stop" -> new Request.Stop(f.units());
            case "restart" -> new Request.Restart(f.units());
            case "reload-unit" -> new Request.ReloadUnit(f.units());
            default -> throw new ProtocolException("Unknown command '" + command + "'.");
        };
    }

    // ---- replies ---------------------------------------------------------------------------------------------

    public static String encode(Reply reply) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", ControlProtocol.VERSION);
        m.put("reply", kind(reply));
        m.put("status", reply.exitStatus());
        switch (reply) {
            case Reply.Failure f -> m.put("error", f.message());
            case Reply.Done _ -> {
            }
            default -> m.put("data", dataOf(reply));
        }
        return Json.write(m);
    }

    private static String kind(Reply reply) {
        return switch (reply) {
            case Reply.Done _ -> "done";
            case Reply.Failure _ -> "failure";
            case Reply.SocketList _ -> "list";
            case Reply.UnitList _ -> "list-units";
            case Reply.Statuses _ -> "status";
            case Reply.Properties _ -> "show";
            case Reply.Files _ -> "cat";
            case Reply.Journal _ -> "journal";
            case Reply.Installed _ -> "install";
        };
    }

    /** What the reply carries, as JSON: what {@code sockctl --output=json} prints (null for done and failure). */
    public static String data(Reply reply) {
        return Json.write(dataOf(reply));
    }

    private static Object dataOf(Reply reply) {
        return switch (reply) {
            case Reply.Done _, Reply.Failure _ -> null;
            case Reply.SocketList l -> map(l.sockets(), ControlCodec::socketEntry);
            case Reply.UnitList l -> map(l.units(), ControlCodec::unitEntry);
            case Reply.Statuses s -> map(s.units(), ControlCodec::status);
            case Reply.Properties p -> map(p.units(), ControlCodec::shown);
            case Reply.Files c -> map(c.units(), ControlCodec::files);
            case Reply.Journal j -> journal(j);
            case Reply.Installed i -> installed(i);
        };
    }

    /** Reads a reply line. */
    public static Reply decodeReply(String line) throws ProtocolException {
        Fields f = parse(line, "");
        Object version = f.map.get("version");
        if (!(version instanceof Long v) || v != ControlProtocol.VERSION) {
            throw new VersionMismatch(version, "Control protocol version " + Json.write(version)
                    + " is not supported by this sockctl (it speaks version " + ControlProtocol.VERSION + ").");
        }
        String kind = f.string("reply");
        return switch (kind) {
            case "done" -> new Reply.Done();
            case "failure" -> new Reply.Failure((int) f.number("status"), f.string("error"));
            case "list" -> new Reply.SocketList(f.list("data", ControlCodec::socketEntry));
            case "list-units" -> new Reply.UnitList(f.list("data", ControlCodec::unitEntry));
            case "status" -> new Reply.Statuses(f.list("data", ControlCodec::status));
            case "show" -> new Reply.Properties(f.list("data", ControlCodec::shown));
            case "cat" -> new Reply.Files(f.list("data", ControlCodec::files));
            case "journal" -> journalReply(f.object("data"));
            case "install" -> installed(f.object("data"));
            default -> throw f.error("unknown reply '" + kind + "'");
        };
    }

    // ---- the records inside replies, both ways ---------------------------------------------------------------

    private static Map<String, Object> socketEntry(SocketEntry s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", s.unit());
        m.put("load", s.load());
        m.put("active", s.active());
        m.put("sub", s.sub());
        m.put("activates", s.activates());
        m.put("listen", map(s.listen(), ControlCodec::listen));
        return m;
    }

    private static SocketEntry socketEntry(Fields f) throws ProtocolException {
        return new SocketEntry(f.string("unit"), f.string("load"), f.string("active"), f.string("sub"),
                f.strings("activates"), f.list("listen", ControlCodec::listen));
    }

    private static Map<String, Object> listen(ListenEntry l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", l.address());
        m.put("type", l.type());
        return m;
    }

    private static ListenEntry listen(Fields f) throws ProtocolException {
        return new ListenEntry(f.string("address"), f.string("type"));
    }

    private static Map<String, Object> unitEntry(UnitEntry u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", u.unit());
        m.put("load", u.load());
        m.put("active", u.active());
        m.put("sub", u.sub());
        m.put("description", u.description());
        return m;
    }

    private static UnitEntry unitEntry(Fields f) throws ProtocolException {
        return new UnitEntry(f.string("unit"), f.string("load"), f.string("active"), f.string("sub"),
                f.string("description"));
    }

    /** A unit's status, flat: the common fields, then {@code type}'s own, then the log. */
    private static Map<String, Object> status(UnitStatus status) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (status) {
            case UnitStatus.NotFound n -> {
                m.put("unit", n.unit());
                m.put("load", "not-found");
            }
            case UnitStatus.Socket s -> {
                common(m, s.common(), "socket");
                m.put("triggers", map(s.triggers(), ControlCodec::unitRef));
                if (s.pendingChange() != null) {
                    m.put("pendingChange", s.pendingChange());
                }
                m.put("listen", map(s.listen(), ControlCodec::listen));
                m.put("accept", s.accept());
                m.put("pollLimit", s.pollLimit());
                m.put("counters", socketCounters(s.counters()));
                log(m, s.common());
            }
            case UnitStatus.Service s -> {
                common(m, s.common(), "service");
                m.put("triggeredBy", map(s.triggeredBy(), ControlCodec::unitRef));
                m.put("mainPid", s.mainPid());
                m.put("mainCommand", s.mainCommand());
                m.put("statusText", s.statusText());
                m.put("counters", serviceCounters(s.counters()));
                log(m, s.common());
            }
        }
        return m;
    }

    private static void common(Map<String, Object> m, Common c, String type) {
        putFiles(m, c.files());
        m.put("type", type);
        m.put("unitFileState", c.unitFileState());
        m.put("unitFilePreset", c.unitFilePreset());
        m.put("description", c.description());
        m.put("active", c.active());
        m.put("sub", c.sub());
        m.put("result", c.result());
        m.put("sinceMicros", c.sinceMicros());
        if (c.condition() != null) {
            m.put("condition", startTest(c.condition()));
        }
        if (c.assertion() != null) {
            m.put("assert", startTest(c.assertion()));
        }
    }

    private static Map<String, Object> startTest(UnitStatus.StartTest t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("micros", t.micros());
        m.put("unmet", t.unmet());
        return m;
    }

    private static UnitStatus.StartTest startTest(Fields f, String key) throws ProtocolException {
        if (f.map.get(key) == null) {
            return null;
        }
        Fields t = f.object(key);
        return new UnitStatus.StartTest(t.number("micros"), t.strings("unmet"));
    }

    private static void log(Map<String, Object> m, Common c) {
        m.put("log", map(c.log(), ControlCodec::logLine));
        m.put("daemonPid", c.daemonPid());
    }

    private static UnitStatus status(Fields f) throws ProtocolException {
        UnitFiles files = files(f);
        if (!files.found()) {
            return new UnitStatus.NotFound(files.unit());
        }
        Common common = new Common(files, f.string("unitFileState"), f.string("unitFilePreset"),
                f.string("description"), f.string("active"), f.string("sub"), f.string("result"),
                f.number("sinceMicros"), f.list("log", ControlCodec::logLine),
                f.number("daemonPid"), startTest(f, "condition"), startTest(f, "assert"));
        String type = f.string("type");
        return switch (type) {
            case "socket" -> new UnitStatus.Socket(common, f.list("triggers", ControlCodec::unitRef),
                    f.optionalString("pendingChange"), f.list("listen", ControlCodec::listen), f.bool("accept"),
                    f.string("pollLimit"), socketCounters(f.object("counters")));
            case "service" -> new UnitStatus.Service(common, f.list("triggeredBy", ControlCodec::unitRef),
                    f.number("mainPid"), f.string("mainCommand"), f.string("statusText"),
                    serviceCounters(f.object("counters")));
            default -> throw f.error("unknown unit type '" + type + "'");
        };
    }

    private static Map<String, Object> socketCounters(SocketCounters c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accepted", c.accepted());
        m.put("connected", c.connected());
        m.put("refused", c.refused());
        m.put("pollLimitHits", c.pollLimitHits());
        m.put("triggerLimitHits", c.triggerLimitHits());
        m.put("activations", c.activations());
        m.put("activationMicros", c.activationMicros());
        return m;
    }

    private static SocketCounters socketCounters(Fields f) throws ProtocolException {
        return new SocketCounters(f.number("accepted"), f.number("connected"), f.number("refused"),
                f.number("pollLimitHits"), f.number("triggerLimitHits"), f.number("activations"),
                f.number("activationMicros"));
    }

    private static Map<String, Object> serviceCounters(ServiceCounters c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("starts", c.starts());
        m.put("restarts", c.restarts());
        m.put("failures", new TreeMap<>(c.failures()));
        return m;
    }

    private static ServiceCounters serviceCounters(Fields f) throws ProtocolException {
        Fields failures = f.object("failures");
        Map<String, Long> byResult = new TreeMap<>();
        for (String result : failures.map().keySet()) {
            byResult.put(result, failures.number(result));
        }
        return new ServiceCounters(f.number("starts"), f.number("restarts"), byResult);
    }

    /** A kept line; {@code identifier} and {@code pid} only for a service's own output. */
    private static Map<String, Object> logLine(LogLine l) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timeMillis", l.timeMillis());
        line.put("priority", l.priority());
        line.put("text", l.text());
        if (l.identifier() != null) {
            line.put("identifier", l.identifier());
            line.put("pid", l.pid());
        }
        return line;
    }

    private static LogLine logLine(Fields f) throws ProtocolException {
        String identifier = f.optionalString("identifier");
        return new LogLine(f.number("timeMillis"), Math.clamp(f.number("priority"), 0, 7), f.string("text"),
                identifier, identifier == null ? 0 : f.number("pid"));
    }

    private static Request.Journal journalRequest(Fields f) throws ProtocolException {
        List<String> units = f.units();
        if (units.size() != 1) {
            throw f.error("'units' must name one unit for journal");
        }
        return new Request.Journal(units.getFirst(), Math.clamp(f.number("lines"), 0, Integer.MAX_VALUE),
                f.number("after"), f.bool("wait"));
    }

    private static Map<String, Object> journal(Reply.Journal j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", j.unit());
        m.put("cursor", j.cursor());
        m.put("entries", map(j.entries(), ControlCodec::logLine));
        m.put("daemonPid", j.daemonPid());
        return m;
    }

    private static Reply.Journal journalReply(Fields f) throws ProtocolException {
        return new Reply.Journal(f.string("unit"), f.list("entries", ControlCodec::logLine), f.number("cursor"),
                f.number("daemonPid"));
    }

    private static Map<String, Object> unitRef(UnitRef r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", r.unit());
        m.put("active", r.active());
        return m;
    }

    private static UnitRef unitRef(Fields f) throws ProtocolException {
        return new UnitRef(f.string("unit"), f.string("active"));
    }

    /** A unit's properties as one object; a property that repeats has its values as an array. */
    private static Map<String, Object> shown(ShownUnit u) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (Property p : u.properties()) {
            properties.merge(p.name(), p.value(), (a, b) -> {
                List<Object> values = a instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>(List.of(a));
                values.add(b);
                return values;
            });
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", u.unit());
        m.put("properties", properties);
        return m;
    }

    private static ShownUnit shown(Fields f) throws ProtocolException {
        List<Property> properties = new ArrayList<>();
        for (Map.Entry<String, Object> e : f.object("properties").map.entrySet()) {
            List<?> values = e.getValue() instanceof List<?> l ? l : Collections.singletonList(e.getValue());
            for (Object value : values) {
                if (!(value instanceof String s)) {
                    throw f.error("property '" + e.getKey() + "' must be a string or a list of strings");
                }
                properties.add(new Property(e.getKey(), s));
            }
        }
        return new ShownUnit(f.string("unit"), properties);
    }

    private static Map<String, Object> files(UnitFiles u) {
        Map<String, Object> m = new LinkedHashMap<>();
        putFiles(m, u);
        return m;
    }

    private static void putFiles(Map<String, Object> m, UnitFiles u) {
        m.put("unit", u.unit());
        m.put("load", u.found() ? "loaded" : "not-found");
        if (u.found()) {
            m.put("fragmentPath", u.fragmentPath());
            m.put("dropInPaths", u.dropInPaths());
        }
    }

    private static UnitFiles files(Fields f) throws ProtocolException {
        String unit = f.string("unit");
        String load = f.string("load");
        if (load.equals("not-found")) {
            return UnitFiles.notFound(unit);
        }
        return new UnitFiles(unit, true, f.string("fragmentPath"), f.strings("dropInPaths"));
    }

    private static Map<String, Object> installed(Reply.Installed i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("changes", map(i.changes(), c -> {
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("type", c.kind().word());
            change.put("path", c.path());
            if (c.source() != null) {
                change.put("source", c.source());
            }
            return change;
        }));
        m.put("carriesInstallInfo", i.carriesInstallInfo());
        if (i.markerCreated() != null) {
            m.put("markerCreated", i.markerCreated());
        }
        if (i.error() != null) {
            m.put("error", i.error());
        }
        return m;
    }

    private static Reply.Installed installed(Fields f) throws ProtocolException {
        List<InstallChange> changes = f.list("changes", c -> {
            String type = c.string("type");
            InstallChange.Kind kind = switch (type) {
                case "symlink" -> InstallChange.Kind.SYMLINK;
                case "unlink" -> InstallChange.Kind.UNLINK;
                default -> throw c.error("unknown change '" + type + "'");
            };
            return new InstallChange(kind, c.string("path"), c.optionalString("source"));
        });
        return new Reply.Installed(changes, f.bool("carriesInstallInfo"), f.optionalString("markerCreated"),
                f.optionalString("error"));
    }

    // ---- reading fields --------------------------------------------------------------------------------------

    private static <T> List<Object> map(List<T> items, Function<T, Object> encode) {
        List<Object> out = new ArrayList<>();
        for (T item : items) {
            out.add(encode.apply(item));
        }
        return out;
    }

    private static Fields parse(String line, String prefix) throws ProtocolException {
        try {
            return new Fields(Json.parseObject(line), prefix);
        } catch (Json.JsonException e) {
            throw new ProtocolException(prefix + e.getMessage());
        }
    }

    /** Decodes one JSON object into a record. */
    private interface Decoder<T> {
        T decode(Fields fields) throws ProtocolException;
    }

    /** One JSON object's fields, each read as the type the record needs or a {@link ProtocolException}. */
    private record Fields(Map<String, Object> map, String prefix) {

        private Object get(String key) throws ProtocolException {
            Object value = map.get(key);
            if (value == null) {
                throw error("missing '" + key + "'");
            }
            return value;
        }

        ProtocolException error(String what) {
            return new ProtocolException(prefix + what + ".");
        }

        String string(String key) throws ProtocolException {
            if (get(key) instanceof String s) {
                return s;
            }
            throw error("'" + key + "' must be a string");
        }

        String optionalString(String key) throws ProtocolException {
            return map.get(key) == null ? null : string(key);
        }

        long number(String key) throws ProtocolException {
            if (get(key) instanceof Long l) {
                return l;
            }
            throw error("'" + key + "' must be a whole number");
        }

        boolean bool(String key) throws ProtocolException {
            if (get(key) instanceof Boolean b) {
                return b;
            }
            throw error("'" + key + "' must be true or false");
        }

        @SuppressWarnings("unchecked")
        Fields object(String key) throws ProtocolException {
            if (get(key) instanceof Map<?, ?> m) {
                return new Fields((Map<String, Object>) m, prefix);
            }
            throw error("'" + key + "' must be an object");
        }

        List<String> strings(String key) throws ProtocolException {
            List<String> out = new ArrayList<>();
            if (get(key) instanceof List<?> list) {
                for (Object o : list) {
                    if (!(o instanceof String s)) {
                        throw error("'" + key + "' must be a list of strings");
                    }
                    out.add(s);
                }
                return List.copyOf(out);
            }
            throw error("'" + key + "' must be a list of strings");
        }

        List<String> units() throws ProtocolException {
            List<String> units = strings("units");
            if (units.size() > MAX_UNITS) {
                throw error("more than " + MAX_UNITS + " units");
            }
            return units;
        }

        @SuppressWarnings("unchecked")
        <T> List<T> list(String key, Decoder<T> decoder) throws ProtocolException {
            if (!(get(key) instanceof List<?> list)) {
                throw error("'" + key + "' must be a list");
            }
            List<T> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m)) {
                    throw error("'" + key + "' must be a list of objects");
                }
                out.add(decoder.decode(new Fields((Map<String, Object>) m, prefix)));
            }
            return List.copyOf(out);
        }
    }
}
