package dev.sockact.unit.parse;

import dev.sockact.unit.parse.UnitFileLexer.Assignment;
import dev.sockact.unit.parse.UnitFileLexer.Entry;
import dev.sockact.unit.parse.UnitFileLexer.Problem;
import dev.sockact.unit.parse.UnitFileLexer.SectionHeader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Line syntax, after the fixtures of systemd's test-conf-parser.c. */
class UnitFileLexerTest {

    private static List<Entry> lex(String text) {
        return UnitFileLexer.lex(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void continuationJoinsWithASpaceAndReportsTheLastLine() {
        assertThat(lex("[S]\nsetting1=1\\\n2\\\n3\n")).containsExactly(
                new SectionHeader(1, "S"), new Assignment(4, "setting1", "1 2 3"));
    }

    @Test
    void escapedBackslashAtTheEndIsNotAContinuation() {
        assertThat(lex("[S]\nsetting1=1\\\\\\\n\\\\2\n")).contains(new Assignment(3, "setting1", "1\\\\ \\\\2"));
        assertThat(lex("[S]\nA=x\\\\\nB=y\n")).contains(new Assignment(2, "A", "x\\\\"), new Assignment(3, "B", "y"));
    }

    @Test
    void commentLinesInsideAContinuationAreSkipped() {
        assertThat(lex("[S]\nA=1 \\\n# comment\n; other\n2\n")).contains(new Assignment(5, "A", "1  2"));
    }

    @Test
    void commentsOnlyAtTheStartOfALine() {
        assertThat(lex("[S]\n  # x\nDescription=t2 # x\n")).containsExactly(
                new SectionHeader(1, "S"), new Assignment(3, "Description", "t2 # x"));
    }

    @Test
    void keysAndValuesAreStripped() {
        assertThat(lex("[S]\n  Key  =  value with  spaces  \r\n")).contains(
                new Assignment(2, "Key", "value with  spaces"));
    }

    @Test
    void invalidSectionHeaderIsFatal() {
        assertThat(lex("[Socket\nA=b\n")).containsExactly(new Problem(1, "Invalid section header '[Socket'", true));
    }

    @Test
    void missingEqualsAndKeyAreAssignmentsForTheParserToJudge() {
        assertThat(lex("[S]\nBogus\n=value\n")).contains(new Assignment(2, null, "Bogus"), new Assignment(3, "", "value"));
    }

    @Test
    void overlongLinesAndContinuationsAreFatal() {
        String longValue = "x".repeat(UnitFileLexer.LONG_LINE_MAX);
        assertThat(lex("[S]\nA=" + longValue + "\n")).last().isEqualTo(new Problem(2, "Line too long", true));
        String half = "y".repeat(UnitFileLexer.LONG_LINE_MAX / 2 + 10);
        assertThat(lex("[S]\nA=" + half + "\\\n" + half + "\n")).last()
                .isEqualTo(new Problem(3, "Continuation line too long", true));
    }

    @Test
    void byteOrderMarkIsSkipped() {
        assertThat(lex("\uFEFF[S]\nA=b\n")).first().isEqualTo(new SectionHeader(1, "S"));
    }

    @Test
    void invalidUtf8IsReported() {
        byte[] bytes = {'[', 'S', ']', '\n', 'A', '=', (byte) 0xff, '\n'};
        assertThat(UnitFileLexer.lex(bytes)).last().isInstanceOf(Problem.class);
    }
}
