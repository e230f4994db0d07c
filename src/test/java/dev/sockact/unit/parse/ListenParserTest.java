package dev.sockact.unit.parse;

import dev.sockact.unit.ListenSpec;
import dev.sockact.unit.SocketKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Socket addresses, from systemd's test-socket-netlink.c and the verified 252 cases of the reference. */
class ListenParserTest {

    private static ListenSpec stream(String value, ParseContext context) throws InvalidValueException {
        return ListenParser.socket(SocketKind.STREAM).parse(value, context);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8080|[::]:8080 (Stream)",
        "65535|[::]:65535 (Stream)",
        "017721|[::]:8145 (Stream)",
        "0x1f91|[::]:8081 (Stream)",
        "0b11111|[::]:31 (Stream)",
        "0o17|[::]:15 (Stream)",
        "+8083|[::]:8083 (Stream)",
        "127.0.0.1:80|127.0.0.1:80 (Stream)",
        "0.0.0.0:53|0.0.0.0:53 (Stream)",
        "[2001:0db8:0000:85a3:0000:0000:ac1f:8001]:8888|[2001:db8:0:85a3::ac1f:8001]:8888 (Stream)",
        "[::1]:1234%%lo|[::1]:1234%lo (Stream)",
        "[::]:80|[::]:80 (Stream)",
        "/run/foo.sock|/run/foo.sock (Stream)",
        "@abstract|@abstract (Stream)",
        "vsock:2:1234|vsock:2:1234 (Stream)",
        "vsock::1234|vsock::1234 (Stream)",
        "/run/%n|/run/foo.socket (Stream)",
        "/run/%%|/run/% (Stream)",
    })
    void acceptedAddresses(String value, String shown) throws Exception {
        ParseContext context = TestContexts.context("ListenStream");
        assertThat(stream(value, context).display()).isEqualTo(shown);
        assertThat(context.notes()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost:86|Invalid argument",
        "192.168.1.1|Invalid argument",
        "::1|Invalid argument",
        "[::1]|Invalid argument",
        "[::1]%%lo:1234|Invalid argument",
        "0|Invalid argument",
        "65536|Numerical result out of range",
        "70000|Numerical result out of range",
        "1.2.3.4:0|Invalid argument",
        "1.2.3.4:65536|Numerical result out of range",
        "[::1]:1234%%xxxxasdf|No such device",
        "\"/run/x.sock\"|Invalid argument",
        "01.2.3.4:80|Invalid argument",
        "/|Invalid argument",
    })
    void rejectedAddresses(String value, String reason) {
        assertThatThrownBy(() -> stream(value, TestContexts.context("ListenStream")))
                .hasMessage("Failed to parse address value in '" + value.replace("%%", "%") + "', ignoring: "
                        + reason);
    }

    @Test
    void unixPathsMustFitSunPath() throws Exception {
        String fits = "/" + "a".repeat(106);
        assertThat(stream(fits, TestContexts.context("ListenStream"))).isInstanceOf(ListenSpec.UnixPath.class);
        assertThatThrownBy(() -> stream(fits + "a", TestContexts.context("ListenStream")))
                .hasMessageEndingWith("File name too long");
        String abstractFits = "@" + "a".repeat(107);
        assertThat(stream(abstractFits, TestContexts.context("ListenStream")))
                .isInstanceOf(ListenSpec.UnixAbstract.class);
        assertThatThrownBy(() -> stream(abstractFits + "a", TestContexts.context("ListenStream")))
                .hasMessageEndingWith("Invalid argument");
    }

    @Test
    void unknownSpecifierIsInvalidSlot() {
        assertThatThrownBy(() -> stream("%eth0", TestContexts.context("ListenStream")))
                .hasMessage("Failed to resolve unit specifiers in '%eth0', ignoring: Invalid slot");
    }

    @Test
    void allInterfacesAndServiceNamesAreSockactExtensionsWithAWarning() throws Exception {
        ParseContext star = TestContexts.context("ListenStream");
        assertThat(stream("*:8080", star).display()).isEqualTo("[::]:8080 (Stream)");
        assertThat(star.notes()).singleElement().satisfies(note -> {
            assertThat(note.sockactOnly()).isTrue();
            assertThat(note.message()).startsWith("systemd will not accept ListenStream=*:8080");
        });
        ParseContext named = TestContexts.context("ListenStream");
        assertThat(stream("ssh", named).display()).isEqualTo("[::]:22 (Stream)");
        assertThat(named.notes()).singleElement().extracting(ParseContext.Note::sockactOnly).isEqualTo(true);
        assertThat(stream("*:https", TestContexts.context("ListenStream")).display())
                .isEqualTo("[::]:443 (Stream)");
    }

    @Test
    void sequentialPacketNeedsUnixSockets() throws Exception {
        assertThatThrownBy(() -> ListenParser.socket(SocketKind.SEQPACKET)
                .parse("1.2.3.4:5", TestContexts.context("ListenSequentialPacket")))
                .hasMessage("Address family not supported, ignoring: 1.2.3.4:5");
        assertThat(ListenParser.socket(SocketKind.SEQPACKET).parse("/run/s", TestContexts.context("X")).display())
                .isEqualTo("/run/s (SequentialPacket)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"kobject-uevent 1|kobject-uevent 1 (Netlink)", "route|route 0 (Netlink)",
        "audit  5|audit 5 (Netlink)"})
    void netlink(String value, String shown) throws Exception {
        assertThat(ListenParser.netlink().parse(value, TestContexts.context("ListenNetlink")).display())
                .isEqualTo(shown);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"foo", "route -1", "route x"})
    void badNetlink(String value) {
        assertThatThrownBy(() -> ListenParser.netlink().parse(value, TestContexts.context("ListenNetlink")))
                .hasMessageStartingWith("Failed to parse address value in '");
    }

    @Test
    void pathKindsNeedAbsolutePaths() throws Exception {
        assertThat(ListenParser.path("ListenFIFO").parse("/run//x/./fifo", TestContexts.context("ListenFIFO"))
                .display()).isEqualTo("/run/x/fifo (FIFO)");
        assertThat(ListenParser.path("ListenMessageQueue").parse("/q", TestContexts.context("X")).display())
                .isEqualTo("/q (MessageQueue)");
        assertThatThrownBy(() -> ListenParser.path("ListenFIFO").parse("relative", TestContexts.context("X")))
                .hasMessage("ListenFIFO= path is not absolute, ignoring: relative");
    }
}
