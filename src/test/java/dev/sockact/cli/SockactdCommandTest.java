package dev.sockact.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * sockactd's command line in process: every path that ends before the daemon starts. Usage errors are getopt's
 * messages, as socket-proxyd's and socket-activate's are; the exit status is 1.
 */
class SockactdCommandTest {
    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = SockactdMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            --bogus                                           | sockactd: unrecognized option '--bogus'
            -x                                                | sockactd: invalid option -- 'x'
            --unit-dir                                        | sockactd: option '--unit-dir' requires an argument
            --unit-d                                          | sockactd: option '--unit-dir' requires an argument
            --control=/run/x.sock                             | sockactd: option '--control=/run/x.sock' is ambiguous; possibilities: '--control-socket' '--control-socket-mode'
            --user=yes                                        | sockactd: option '--user' doesn't allow an argument
            extra                                             | sockactd: This program takes no arguments.
            --control-socket=/run/x.sock --control-socket-mode=1777 | sockactd: Invalid --control-socket-mode: 1777
            --control-socket=/run/x.sock --control-socket-mode=rw   | sockactd: Invalid --control-socket-mode: rw
            --control-socket=/run/x.sock --metrics=nowhere:port     | sockactd: Invalid --metrics address nowhere:port:
            --control-socket=/run/x.sock --standby-max=lots         | sockactd: Invalid --standby-max: lots (a number of services, 0 to 1024)
            --control-socket=/run/x.sock --standby-max=1025         | sockactd: Invalid --standby-max: 1025 (a number of services, 0 to 1024)
            --control-socket=/run/x.sock --standby-max=-1           | sockactd: Invalid --standby-max: -1 (a number of services, 0 to 1024)
            """)
    void usageErrorsNameTheInputAndExit1(String args, String message) {
        Result result = run(args.split(" "));
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).startsWith(message);
        assertThat(result.out()).isEmpty();
    }

    @Test
    void helpAndVersionAnswerBeforeAnythingElse() {
        Result onlyHelp = run("-h", "--unit-dir=/nonexistent", "extra");
        assertThat(onlyHelp.status()).isZero();
        assertThat(onlyHelp.out()).isEqualTo(SockactdCommand.HELP);
        Result version = run("--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("sockact ").contains("(sockactd)");
    }
}
