package dev.sockact.ctl;

import dev.sockact.ctl.ShownUnit.Property;
import dev.sockact.ctl.UnitStatus.Common;
import dev.sockact.ctl.UnitStatus.LogLine;
import dev.sockact.ctl.UnitStatus.UnitRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every request and reply survives encode and decode; lines that do not decode say why. */
class ControlCodecTest {
    private static final List<String> UNITS = List.of("web.socket", "web.service");
    private static final UnitFiles FILES = new UnitFiles("web.socket", true, "/etc/sockact/system/web.socket",
            List.of("/etc/sockact/system/web.socket.d/a.conf", "/etc/sockact/system/web.socket.d/b.conf"));
    private static final Common COMMON = new Common(FILES, "enabled", "enabled", "Web \"socket\"\n", "active",
            "listening", "success", 1_700_000_000_123_456L,
            List.of(new LogLine(1_700_000_000_123L, 6, "Listening on Web socket.", null, 0),
                    new LogLine(0, 3, "ü\ttab", "web", 77)), 4242);

    static List<Request> requests() {
        return List.of(new Request.ListSockets(), new Request.ListUnits(), new Request.Status(UNITS, 10),
                new Request.Status(List.of(), 0), new Request.Show(UNITS), new Request.Cat(UNITS),
                new Request.Enable(UNITS), new Request.Disable(UNITS), new Request.Reload(), new Request.Start(UNITS),
                new Request.Stop(UNITS), new Request.Restart(UNITS), new Request.ReloadUnit(List.of("web.service")),
                new Request.ResetFailed(UNITS), new Request.ResetFailed(List.of()),
                new Request.Journal("web.service", 10, 0, false), new Request.Journal("web.service", 1000, 42, true));
    }

    static List<Reply> replies() {
        return List.of(
                new Reply.Done(),
                new Reply.Failure(5, "Failed to start nope.socket: Unit nope.socket not found."),
                new Reply.SocketList(List.of(new SocketEntry("web.socket", "loaded", "active", "listening",
                        List.of("web.service"), List.of(new ListenEntry("127.0.0.1:80", "Stream"),
                        new ListenEntry("/run/web.sock", "Stream"))))),
                new Reply.SocketList(List.of()),
                new Reply.UnitList(List.of(new UnitEntry("web.socket", "loaded", "active", "listening", "Web"),
                        new UnitEntry("web.service", "loaded", "failed", "failed", "web.service"))),
                new Reply.Statuses(List.of(
                        new UnitStatus.Socket(COMMON, List.of(new UnitRef("web.service", "inactive")), null,
                                List.of(new ListenEntry("[::]:80", "Stream")), true, "150 per 2s",
                                new SocketCounters(7, 2, 1, 3, 1, 5, 12_345)),
                        new UnitStatus.Socket(COMMON, List.of(), "Listen settings changed", List.of(), false, "off",
                                new SocketCounters(0, 0, 0, 0, 0, 0, 0)),
                        new UnitStatus.Service(COMMON, List.of(new UnitRef("web.socket", "active")), 1234,
                                "/usr/bin/web", "Serving", new ServiceCounters(4, 1, Map.of("exit-code", 2L,
                                "timeout", 1L))),
                        new UnitStatus.Service(new Common(FILES, "", "", "Skipped", "inactive", "dead", "success", 0,
                                List.of(), 4242, new UnitStatus.StartTest(1_700_000_000_000_001L,
                                List.of("ConditionPathExists=|/a", "ConditionPathExists=|!/b")),
                                new UnitStatus.StartTest(1_700_000_000_000_002L, List.of("AssertUser=root"))),
                                List.of(), 0, "", "", new ServiceCounters(0, 0, Map.of())),
                        new UnitStatus.NotFound("nope.socket"))),
                new Reply.Properties(List.of(new ShownUnit("web.socket", List.of(new Property("Id", "web.socket"),
                        new Property("Listen", "[::]:80 (Stream)"), new Property("Listen", "/run/w.sock (Stream)"),
                        new Property("Accept", "no"))),
                        new ShownUnit("nope.socket", List.of(new Property("Id", "nope.socket"),
                                new Property("LoadState", "not-found"))))),
                new Reply.Files(List.of(FILES, UnitFiles.notFound("nope.socket"),
                        new UnitFiles("x.service", true, "", List.of()))),
                new Reply.Installed(List.of(new InstallChange(InstallChange.Kind.SYMLINK,
                        "/etc/sockact/system/sockets.target.wants/web.socket", "/etc/sockact/system/web.socket"),
                        new InstallChange(InstallChange.Kind.UNLINK, "/etc/sockact/system/old.socket", null)),
                        true, "/etc/sockact/system", null),
                new Reply.Installed(List.of(), false, null, "Failed to enable unit: Unit file nope.socket does not exist."),
                new Reply.Journal("web.service", COMMON.log(), 42, 4242),
                new Reply.Journal("web.service", List.of(), 0, 4242));
    }

    @ParameterizedTest
    @MethodSource("requests")
    void requestsRoundTrip(Request request) throws Exception {
        String line = ControlCodec.encode(request);
        assertThat(line).startsWith("{\"version\":1,\"command\":\"" + ControlCodec.command(request) + "\"")
                .doesNotContain("\n");
        assertThat(ControlCodec.decodeRequest(line)).isEqualTo(request);
    }

    @ParameterizedTest
    @MethodSource("replies")
    void repliesRoundTrip(Reply reply) throws Exception {
        String line = ControlCodec.encode(reply);
        assertThat(line).startsWith("{\"version\":1,\"reply\":").contains("\"status\":" + reply.exitStatus())
                .doesNotContain("\n");
        assertThat(ControlCodec.decodeReply(line)).isEqualTo(reply);
    }

    @Test
    void everyRequestAndReplyTypeIsCovered() {
        assertThat(requests().stream().map(Object::getClass).distinct())
                .hasSize(Request.class.getPermittedSubclasses().length - 1 + Request.Job.class.getPermittedSubclasses().length);
        assertThat(replies().stream().map(Object::getClass).distinct())
                .hasSize(Reply.class.getPermittedSubclasses().length);
        assertThat(replies().stream().filter(r -> r instanceof Reply.Statuses).flatMap(r -> ((Reply.Statuses) r)
                .units().stream()).map(Object::getClass).distinct()).hasSize(UnitStatus.class.getPermittedSubclasses().length - 1
                + UnitStatus.Loaded.class.getPermittedSubclasses().length);
    }

    @Test
    void exitStatusesAsSystemctl() {
        UnitStatus inactive = new UnitStatus.Service(new Common(FILES, "", "", "", "inactive", "dead", "success", 0,
                List.of(), 1), List.of(), 0, "", "", new ServiceCounters(0, 0, Map.of()));
        UnitStatus active = new UnitStatus.Socket(COMMON, List.of(), null, List.of(), false, "15 per 2s",
                new SocketCounters(0, 0, 0, 0, 0, 0, 0));
        assertThat(new Reply.Statuses(List.of(active)).exitStatus()).isZero();
        assertThat(new Reply.Statuses(List.of(active, inactive)).exitStatus()).isEqualTo(3);
        assertThat(new Reply.Statuses(List.of(new UnitStatus.NotFound("x.socket"), inactive)).exitStatus()).isEqualTo(4);
        assertThat(new Reply.Statuses(List.of(inactive, new UnitStatus.NotFound("x.socket"))).exitStatus()).isEqualTo(4);
        assertThat(new Reply.Files(List.of(UnitFiles.notFound("x.socket"))).exitStatus()).isEqualTo(4);
        assertThat(new Reply.Installed(List.of(), true, null, "no").exitStatus()).isEqualTo(1);
    }

    @Test
    void theDataIsWhatOutputJsonPrints() {
        Reply.Properties shown = new Reply.Properties(List.of(new ShownUnit("web.socket", List.of(
                new Property("Id", "web.socket"), new Property("Listen", "a"), new Property("Listen", "b")))));
        assertThat(ControlCodec.data(shown))
                .isEqualTo("[{\"unit\":\"web.socket\",\"properties\":{\"Id\":\"web.socket\",\"Listen\":[\"a\",\"b\"]}}]");
        assertThat(ControlCodec.encode(shown)).endsWith(",\"data\":" + ControlCodec.data(shown) + "}");
        assertThat(Json.parse(ControlCodec.data(new Reply.UnitList(List.of(
                new UnitEntry("a.socket", "loaded", "active", "listening", "A"))))))
                .isEqualTo(List.of(Map.of("unit", "a.socket", "load", "loaded", "active", "active", "sub", "listening",
                        "description", "A")));
    }

    @Test
    void badRequestsSayWhy() {
        assertRequestFails("not json", "Bad request: invalid JSON at offset 0: expected null");
        assertRequestFails("[1]", "Bad request: not a JSON object");
        assertRequestFails("{\"command\":\"list\"}",
                "Control protocol version null is not supported by this sockactd (it speaks version 1).");
        assertRequestFails("{\"version\":2,\"command\":\"list\"}",
                "Control protocol version 2 is not supported by this sockactd (it speaks version 1).");
        assertRequestFails("{\"version\":\"1\",\"command\":\"list\"}",
                "Control protocol version \"1\" is not supported by this sockactd (it speaks version 1).");
        assertRequestFails("{\"version\":1}", "Bad request: missing 'command'.");
        assertRequestFails("{\"version\":1,\"command\":\"dance\"}", "Unknown command 'dance'.");
        assertRequestFails("{\"version\":1,\"command\":\"show\"}", "Bad request: missing 'units'.");
        assertRequestFails("{\"version\":1,\"command\":\"show\",\"units\":\"a.socket\"}",
                "Bad request: 'units' must be a list of strings.");
        assertRequestFails("{\"version\":1,\"command\":\"start\",\"units\":[\"a.socket\",null]}",
                "Bad request: 'units' must be a list of strings.");
        assertRequestFails("{\"version\":1,\"command\":\"status\",\"units\":[],\"lines\":\"ten\"}",
                "Bad request: 'lines' must be a whole number.");
        assertRequestFails("{\"version\":1,\"command\":\"cat\",\"units\":" + Json.write(Collections.nCopies(
                ControlCodec.MAX_UNITS + 1, "a.socket")) + "}", "Bad request: more than 1024 units.");
    }

    @Test
    void badRepliesSayWhy() {
        assertThatThrownBy(() -> ControlCodec.decodeReply("{\"version\":3,\"reply\":\"done\",\"status\":0}"))
                .isInstanceOfSatisfying(ControlCodec.VersionMismatch.class, e -> assertThat(e.version()).isEqualTo(3L));
        assertThatThrownBy(() -> ControlCodec.decodeReply("{\"version\":1,\"reply\":\"dance\",\"status\":0}"))
                .isInstanceOf(ControlCodec.ProtocolException.class).hasMessage("unknown reply 'dance'.");
        assertThatThrownBy(() -> ControlCodec.decodeReply("{\"version\":1,\"reply\":\"list\",\"status\":0,"
                + "\"data\":[{\"unit\":\"a.socket\"}]}"))
                .isInstanceOf(ControlCodec.ProtocolException.class).hasMessage("missing 'load'.");
        assertThatThrownBy(() -> ControlCodec.decodeReply("{\"version\":1,\"reply\":\"status\",\"status\":0,"
                + "\"data\":[{\"unit\":\"a.socket\",\"load\":\"loaded\",\"fragmentPath\":\"\",\"dropInPaths\":[],"
                + "\"type\":\"timer\",\"unitFileState\":\"\",\"unitFilePreset\":\"\",\"description\":\"\","
                + "\"active\":\"active\",\"sub\":\"x\",\"result\":\"success\",\"sinceMicros\":0,\"log\":[],"
                + "\"daemonPid\":1}]}"))
                .isInstanceOf(ControlCodec.ProtocolException.class).hasMessage("unknown unit type 'timer'.");
        assertThatThrownBy(() -> ControlCodec.decodeReply("{\"version\":1,\"reply\":\"show\",\"status\":0,"
                + "\"data\":[{\"unit\":\"a.socket\",\"properties\":{\"Id\":1}}]}"))
                .isInstanceOf(ControlCodec.ProtocolException.class)
                .hasMessage("property 'Id' must be a string or a list of strings.");
    }

    private static void assertRequestFails(String line, String message) {
        assertThatThrownBy(() -> ControlCodec.decodeRequest(line))
                .isInstanceOf(ControlCodec.ProtocolException.class).hasMessage(message);
    }
}
