package dev.sockact.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * socket-activate's command line in process: every path that ends before a
 * socket is handed over (conflicts, usage errors, help, version, bad
 * addresses). Messages are systemd-socket-activate 252's (checked against the
 * binary in {@code SocketActivateCompatibilityIT}); the exit status is 1.
 */
class SocketActivateCommandTest {
    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = SocketActivateMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                                   | socket-activate: command to execute is missing.
            -l 8080                              | socket-activate: command to execute is missing.
            -a -l 8080                           | socket-activate: command to execute is missing.
            -d --seqpacket -l 8080 true          | --seqpacket may not be combined with --datagram.
            --seqpacket --datagram -l 8080 true  | --seqpacket may not be combined with --datagram.
            -d -a -l 8080 true                   | Datagram sockets do not accept connections. The --datagram and --accept options may not be combined.
            --datagram --accept -l 8080 true     | Datagram sockets do not accept connections. The --datagram and --accept options may not be combined.
            -da -l 8080 true                     | Datagram sockets do not accept connections. The --datagram and --accept options may not be combined.
            --now -a -l 8080 true                | --now cannot be combined with --accept.
            --inetd -l 8080 -l 8081 true         | --inetd only supported for single file descriptors.
            --inetd true                         | --inetd only supported for single file descriptors.
            """)
    void conflictsAreRefusedWithSystemdsMessage(String args, String message) {
        Result r = run(args.isEmpty() ? new String[0] : args.split(" "));

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(message + System.lineSeparator());
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            --bogus                | socket-activate: unrecognized option '--bogus'
            --bogus=1              | socket-activate: unrecognized option '--bogus=1'
            --se                   | socket-activate: option '--se' is ambiguous; possibilities: '--seqpacket' '--setenv'
            --s=1                  | socket-activate: option '--s=1' is ambiguous; possibilities: '--seqpacket' '--setenv'
            --fdn                  | socket-activate: option '--fdname' requires an argument
            --acc=yes              | socket-activate: option '--accept' doesn't allow an argument
            -x                     | socket-activate: invalid option -- 'x'
            -ax                    | socket-activate: invalid option -- 'x'
            -l                     | socket-activate: option requires an argument -- 'l'
            -E                     | socket-activate: option requires an argument -- 'E'
            --fdname               | socket-activate: option '--fdname' requires an argument
            """)
    void usageErrorsAreGetopts(String args, String message) {
        Result r = run(args.split(" "));

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(message + System.lineSeparator());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            0              | Invalid argument
            70000          | Numerical result out of range
            http           | Invalid argument
            localhost:86   | Invalid argument
            [::1]%lo:1234  | Invalid argument
            """)
    void badAddressesAreReportedTwiceAsSystemdDoes(String address, String reason) {
        Result r = run("-l", address, "true");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().lines()).containsExactly(
                "Failed to parse socket address \"" + address + "\": " + reason,
                "Failed to open '" + address + "': " + reason);
    }

    @Test
    void withoutSocketsThereIsNothingToDo() {
        Result r = run("true");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("No sockets to listen on specified or passed in." + System.lineSeparator());
    }

    @Test
    void aTakenPortFailsWithTheAddressAndTheReason() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Result r = run("-l", address, "true");

            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).startsWith("Failed to listen on " + address + ": ").contains("Address already in use");
        }
    }

    @Test
    void aProgramThatCannotBeFoundFailsBeforeWaiting() {
        Result r = run("-l", "@sockact-test-" + UUID.randomUUID(), "/nonexistent/program", "arg");

        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("Failed to execp /nonexistent/program (/nonexistent/program arg): ")
                .contains("No such file or directory");
    }

    @Test
    void helpGoesToStdoutWithStatusZero() {
        Result r = run("--help");

        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("socket-activate [OPTIONS...] COMMAND [ARGS...]")
                .contains("-l --listen=ADDR", "-a --accept", "--inetd", "--now", "--fdname=NAME[:NAME...]", "-E --setenv=NAME[=VALUE]");
        assertThat(r.err()).isEmpty();
        assertThat(run("-h").out()).isEqualTo(r.out());
    }

    @Test
    void helpWinsOverEverythingElse() {
        assertThat(run("-d", "-a", "--help").status()).isZero();
    }

    @Test
    void versionNamesTheProjectAndTheCommand() {
        Result r = run("--version");

        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("sockact " + Version.NUMBER + " (socket-activate)" + System.lineSeparator());
    }

    @Test
    void optionsStopAtTheCommand() {
        // "-a" after the command belongs to the command: no --datagram/--accept conflict is seen.
        Result r = run("-d", "-l", "0", "true", "-a");

        assertThat(r.err()).startsWith("Failed to parse socket address \"0\"");
    }
}
