package dev.sockact.unit.parse;

import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.ExecCommand.Flag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Exec lines, after systemd's test-load-fragment.c config_parse_exec cases. */
class ExecLineParserTest {

    private static List<ExecCommand> parse(String value) throws InvalidValueException {
        return new ExecLineParser().parse(value, TestContexts.context("foo.service", "ExecStart"));
    }

    @Test
    void plainCommand() throws Exception {
        assertThat(parse("/bin/echo hello world")).containsExactly(
                new ExecCommand("/bin/echo", List.of("/bin/echo", "hello", "world"), Set.of()));
    }

    @Test
    void prefixes() throws Exception {
        ExecCommand command = parse("-@:/bin/sh argv0 -c x").getFirst();
        assertThat(command.flags()).containsExactlyInAnyOrder(Flag.IGNORE_FAILURE, Flag.ARGV0, Flag.NO_ENV_EXPAND);
        assertThat(command.path()).isEqualTo("/bin/sh");
        assertThat(command.argv()).containsExactly("argv0", "-c", "x");
        assertThat(parse("+/bin/true").getFirst().flags()).containsExactly(Flag.FULL_PRIVILEGES);
        assertThat(parse("!/bin/true").getFirst().flags()).containsExactly(Flag.AMBIENT_PRIVILEGES);
        assertThat(parse("!!/bin/true").getFirst().flags()).containsExactly(Flag.NO_SETUID_FALLBACK);
    }

    @Test
    void quotingEscapesAndVariablesKeptForSpawnTime() throws Exception {
        ExecCommand command = parse("/bin/echo \"a b\" 'c d' e\\tf \\x41 $HOME ${X}").getFirst();
        assertThat(command.argv()).containsExactly("/bin/echo", "a b", "c d", "e\tf", "A", "$HOME", "${X}");
    }

    @Test
    void semicolonSeparatesCommandsAndEscapedSemicolonIsAnArgument() throws Exception {
        List<ExecCommand> commands = parse("/bin/a 1 ; /bin/b \\; 2");
        assertThat(commands).extracting(ExecCommand::path).containsExactly("/bin/a", "/bin/b");
        assertThat(commands.get(1).argv()).containsExactly("/bin/b", ";", "2");
        assertThat(parse("/bin/a x;y").getFirst().argv()).containsExactly("/bin/a", "x;y");
    }

    @Test
    void specifiersAreExpanded() throws Exception {
        assertThat(parse("/bin/echo %n %p %H %%").getFirst().argv())
                .containsExactly("/bin/echo", "foo.service", "foo", "host.example.org", "%");
    }

    @Test
    void bareNamesAreSearchedInPathLater() throws Exception {
        assertThat(parse("true").getFirst().path()).isEqualTo("true");
    }

    @Test
    void errorsAreFatalUnlessIgnored() {
        assertThatThrownBy(() -> parse("/bin/true \"unterminated"))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.isFatal()).isTrue())
                .hasMessage("Unbalanced quoting, ignoring: \"/bin/true \"unterminated\"");
        assertThatThrownBy(() -> parse("-/bin/true \"unterminated"))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.isFatal()).isFalse());
        assertThatThrownBy(() -> parse("/usr/bin/")).hasMessage("Executable path specifies a directory: /usr/bin/");
        assertThatThrownBy(() -> parse("/usr/../bin/x")).hasMessage("Executable path is not normalized: /usr/../bin/x");
        assertThatThrownBy(() -> parse("-")).hasMessage("Empty path in command line, ignoring: '-'");
        assertThatThrownBy(() -> parse("/bin/x %z")).hasMessage("Failed to resolve unit specifiers in %z: Invalid slot");
        assertThatThrownBy(() -> parse("-/bin/x %z"))
                .hasMessage("Failed to resolve unit specifiers in %z, ignoring: Invalid slot");
    }

    @Test
    void unknownEscapeIsKeptWithAWarning() {
        ParseContext context = TestContexts.context("foo.service", "ExecStart");
        assertThatThrownBy(() -> new ExecLineParser().parse("\\x", context))
                .hasMessage("Executable name contains special characters: \\x");
        assertThat(context.notes()).extracting(ParseContext.Note::message)
                .containsExactly("Ignoring unknown escape sequences: \"\\x\"");
    }
}
