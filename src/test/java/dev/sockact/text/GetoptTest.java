package dev.sockact.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GetoptTest {
    private static final Getopt OPTIONS = new Getopt(List.of(
            new Getopt.Spec('l', "listen", true),
            new Getopt.Spec((char) 0, "listen-datagram", true),
            new Getopt.Spec('E', "setenv", true, List.of("environment")),
            new Getopt.Spec((char) 0, "seqpacket", false),
            new Getopt.Spec((char) 0, "exit-idle-time", true)));

    private static Getopt.Result parse(String... args) throws Getopt.UsageException {
        return OPTIONS.parse(args);
    }

    @Test
    void aPrefixOfOneOptionNamesIt() throws Getopt.UsageException {
        Getopt.Result parsed = parse("--exit=5s", "--listen-d", "[::1]:53", "--seq", "target");

        assertThat(parsed.all("exit-idle-time")).containsExactly("5s");
        assertThat(parsed.all("listen-datagram")).containsExactly("[::1]:53");
        assertThat(parsed.has("seqpacket")).isTrue();
        assertThat(parsed.operands()).containsExactly("target");
    }

    @Test
    void anExactNameWinsOverTheLongerNamesItBegins() throws Getopt.UsageException {
        assertThat(parse("--listen=1").all("listen")).containsExactly("1");
        assertThat(parse("--listen=1").has("listen-datagram")).isFalse();
    }

    @Test
    void namesOfOneOptionAreNotAmbiguous() throws Getopt.UsageException {
        assertThat(parse("--env=A=1", "--environment", "B").all("setenv")).containsExactly("A=1", "B");
    }

    @Test
    void aPrefixOfSeveralOptionsIsRefusedWithThemAll() {
        assertThatThrownBy(() -> parse("--lis=1"))
                .hasMessage("option '--lis=1' is ambiguous; possibilities: '--listen' '--listen-datagram'");
        assertThatThrownBy(() -> parse("--se"))
                .hasMessage("option '--se' is ambiguous; possibilities: '--setenv' '--seqpacket'");
    }

    @Test
    void messagesNameTheOptionAsGetoptDoes() {
        assertThatThrownBy(() -> parse("--nothing=1")).hasMessage("unrecognized option '--nothing=1'");
        assertThatThrownBy(() -> parse("--exit")).hasMessage("option '--exit-idle-time' requires an argument");
        assertThatThrownBy(() -> parse("--seq=1")).hasMessage("option '--seqpacket' doesn't allow an argument");
    }
}
