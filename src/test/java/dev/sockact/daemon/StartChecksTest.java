package dev.sockact.daemon;

import dev.sockact.unit.UnitInfo;
import dev.sockact.unit.parse.TestContexts;
import dev.sockact.unit.parse.UnitSectionDirectives;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A unit's list of conditions and asserts as a start tests it: triggering and plain conditions, negation, an empty
 * assignment's reset, systemd's order (the last line first), asserts after conditions; the verdicts checked against
 * {@code systemd-analyze condition} on the same lines.
 */
class StartChecksTest {
    private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");

    @TempDir
    Path dir;

    private String there() throws Exception {
        return Files.writeString(dir.resolve("there"), "x").toString();
    }

    private String missing() {
        return dir.resolve("missing").toString();
    }

    private static UnitInfo unit(List<String> lines) throws Exception {
        UnitInfo.Builder builder = new UnitInfo.Builder();
        for (String line : lines) {
            int eq = line.indexOf('=');
            String key = line.substring(0, eq);
            UnitSectionDirectives.UNIT.get(key).handler().apply(builder, line.substring(eq + 1),
                    TestContexts.context("test.service", key));
        }
        return builder.build();
    }

    private static StartChecks.Verdict verdict(List<String> lines) throws Exception {
        return new StartChecks().test("test.service", unit(lines), Map.of());
    }

    /**
     * What systemd-analyze condition says of the same lines. It tests both lists and reports each; a start tests
     * the conditions first (unit_start()), so failed conditions skip whatever the asserts say.
     */
    private static StartChecks.Verdict systemdVerdict(List<String> lines) throws Exception {
        List<String> command = new ArrayList<>(List.of(SYSTEMD_ANALYZE.toString(), "condition"));
        command.addAll(lines);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (out.contains("Conditions failed.")) {
            return StartChecks.Verdict.SKIP;
        }
        return out.contains("Asserts failed.") ? StartChecks.Verdict.ASSERT_FAILED : StartChecks.Verdict.START;
    }

    @Test
    void verdictsAgreeWithSystemd() throws Exception {
        assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE), "systemd-analyze is not installed");
        String there = there();
        String missing = missing();
        List<List<String>> cases = List.of(
                List.of("ConditionPathExists=" + there),
                List.of("ConditionPathExists=" + missing),
                List.of("ConditionPathExists=!" + missing),
                List.of("ConditionPathExists=!" + there),
                List.of("ConditionPathExists=|" + missing, "ConditionPathExists=|" + there),
                List.of("ConditionPathExists=|" + missing, "ConditionPathExists=|!" + there),
                List.of("ConditionPathExists=|" + missing, "ConditionPathExists=" + there),
                List.of("ConditionPathExists=|" + there, "ConditionPathExists=" + missing),
                List.of("ConditionPathExists=" + missing, "ConditionUser=", "ConditionPathExists=" + there),
                List.of("ConditionPathExists=" + missing, "ConditionPathIsDirectory="),
                List.of("AssertPathExists=" + missing),
                List.of("AssertPathExists=" + missing, "ConditionPathExists=" + missing),
                List.of("AssertPathExists=" + missing, "AssertUser="),
                List.of("AssertPathExists=|" + missing, "AssertPathExists=|" + there, "ConditionPathExists=" + there),
                List.of("AssertPathExists=" + missing, "ConditionUser="),
                List.of("ConditionMemory=foo"),
                List.of("ConditionMemory=|foo", "ConditionPathExists=|" + there));
        for (List<String> lines : cases) {
            assertThat(verdict(lines)).as(lines.toString()).isEqualTo(systemdVerdict(lines));
        }
    }

    @Test
    void theLastLineIsTestedFirstAndAFailureStopsTheTest() throws Exception {
        String there = there();
        String missing = missing();
        UnitInfo info = unit(List.of("ConditionPathExists=" + missing, "ConditionPathExists=" + missing + "2",
                "ConditionPathExists=" + there));
        StartChecks checks = new StartChecks();
        assertThat(checks.test("test.service", info, Map.of())).isEqualTo(StartChecks.Verdict.SKIP);
        StartChecks.Outcome outcome = checks.conditions();
        assertThat(outcome.results()).extracting(t -> t.condition().parameter())
                .containsExactly(there, missing + "2");
        assertThat(outcome.unmet()).extracting(c -> c.display())
                .containsExactly("ConditionPathExists=" + missing + "2");
        assertThat(checks.asserts()).as("asserts are not tested when a condition fails").isNull();
    }

    @Test
    void allUnmetTriggeringConditionsAreListed() throws Exception {
        String missing = missing();
        StartChecks checks = new StartChecks();
        UnitInfo info = unit(List.of("ConditionPathExists=|" + missing, "ConditionPathIsDirectory=|" + missing));
        assertThat(checks.test("test.service", info, Map.of())).isEqualTo(StartChecks.Verdict.SKIP);
        assertThat(checks.conditions().unmet()).extracting(c -> c.display()).containsExactly(
                "ConditionPathIsDirectory=|" + missing, "ConditionPathExists=|" + missing);
    }

    @Test
    void anAssertIsTestedOnceTheConditionsHold() throws Exception {
        String there = there();
        StartChecks checks = new StartChecks();
        UnitInfo info = unit(List.of("ConditionPathExists=" + there, "AssertPathExists=!" + there));
        assertThat(checks.test("test.service", info, Map.of())).isEqualTo(StartChecks.Verdict.ASSERT_FAILED);
        assertThat(checks.conditions().passed()).isTrue();
        assertThat(checks.asserts().unmet()).extracting(c -> c.display())
                .containsExactly("AssertPathExists=!" + there);
    }

    @Test
    void environmentIsTheManagersEnvironment() throws Exception {
        UnitInfo info = unit(List.of("ConditionEnvironment=LANG=C"));
        assertThat(new StartChecks().test("u", info, Map.of("LANG", "C"))).isEqualTo(StartChecks.Verdict.START);
        assertThat(new StartChecks().test("u", info, Map.of("LANG", "C.UTF-8"))).isEqualTo(StartChecks.Verdict.SKIP);
    }
}
