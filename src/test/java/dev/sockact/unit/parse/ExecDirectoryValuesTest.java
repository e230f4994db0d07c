package dev.sockact.unit.parse;

import dev.sockact.unit.ExecDirectories;
import dev.sockact.unit.ExecDirectories.Kind;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.UnitName;
import dev.sockact.unit.UnitProperties;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RuntimeDirectory= and its siblings, their modes, RuntimeDirectoryPreserve= and DynamicUser= as parsed. */
class ExecDirectoryValuesTest {

    /** The lines applied in order to one unit, as the file's lines are; returns the unit and its warnings. */
    private record Parsed(ServiceUnit unit, List<String> warnings) {
    }

    private static Parsed parse(String unitName, String... keyValues) throws InvalidValueException {
        ServiceUnit.Builder builder = new ServiceUnit.Builder(UnitName.of(unitName));
        List<String> warnings = new ArrayList<>();
        for (String line : keyValues) {
            String key = line.substring(0, line.indexOf('='));
            ParseContext context = TestContexts.context(unitName, key);
            ServiceDirectives.SERVICE.get(key).handler().apply(builder, line.substring(key.length() + 1), context);
            context.notes().forEach(note -> warnings.add(note.message()));
        }
        return new Parsed(builder.build(), warnings);
    }

    @Test
    void pathsAccumulateInOrderWithoutDuplicatesAndAnEmptyAssignmentResets() throws InvalidValueException {
        ServiceUnit unit = parse("foo.service", "RuntimeDirectory=a b/c", "RuntimeDirectory=d a",
                "StateDirectory=old", "StateDirectory=", "StateDirectory=%N/x", "CacheDirectory=./c//d/").unit();
        assertThat(unit.directories().paths(Kind.RUNTIME)).containsExactly("a", "b/c", "d");
        assertThat(unit.directories().paths(Kind.STATE)).containsExactly("foo/x");
        assertThat(unit.directories().paths(Kind.CACHE)).containsExactly("c/d");
        assertThat(unit.directories().paths(Kind.LOGS)).isEmpty();
        assertThat(unit.directories().isEmpty()).isFalse();
    }

    @Test
    void modesDefaultTo0755AndPreserveToNo() throws InvalidValueException {
        ServiceUnit plain = parse("foo.service", "RuntimeDirectory=a").unit();
        for (Kind kind : Kind.values()) {
            assertThat(plain.directories().mode(kind)).isEqualTo(0755);
        }
        assertThat(plain.directories().preserve()).isEqualTo(ExecDirectories.Preserve.NO);
        ServiceUnit set = parse("foo.service", "RuntimeDirectoryMode=0700", "LogsDirectoryMode=750",
                "ConfigurationDirectoryMode=0500", "RuntimeDirectoryPreserve=restart").unit();
        assertThat(set.directories().mode(Kind.RUNTIME)).isEqualTo(0700);
        assertThat(set.directories().mode(Kind.LOGS)).isEqualTo(0750);
        assertThat(set.directories().mode(Kind.CONFIGURATION)).isEqualTo(0500);
        assertThat(set.directories().preserve()).isEqualTo(ExecDirectories.Preserve.RESTART);
        assertThat(parse("foo.service", "RuntimeDirectoryPreserve=on").unit().directories().preserve())
                .isEqualTo(ExecDirectories.Preserve.YES);
        assertThat(ExecDirectories.NONE.isEmpty()).isTrue();
    }

    @Test
    void escapingPathsAreSkippedWithSystemdsWarnings() throws InvalidValueException {
        Parsed parsed = parse("foo.service", "RuntimeDirectory=/run/abs ok ../up a/../b private private/x privatex");
        assertThat(parsed.unit().directories().paths(Kind.RUNTIME)).containsExactly("ok", "privatex");
        assertThat(parsed.warnings()).containsExactly(
                "RuntimeDirectory= path is absolute, ignoring: /run/abs",
                "RuntimeDirectory= path is not normalized, ignoring: ../up",
                "RuntimeDirectory= path is not normalized, ignoring: a/../b",
                "RuntimeDirectory= path can't be 'private', ignoring assignment: private",
                "RuntimeDirectory= path can't be 'private', ignoring assignment: private/x");
    }

    @Test
    void badModesAndPreserveWordsAreIgnoredAndTheLinkFormIsRefused() {
        assertThatThrownBy(() -> parse("foo.service", "RuntimeDirectoryMode=0999"))
                .hasMessage("Failed to parse mode value, ignoring: 0999");
        assertThatThrownBy(() -> parse("foo.service", "RuntimeDirectoryPreserve=sometimes"))
                .hasMessage("Failed to parse resource preserve mode, ignoring: sometimes");
        assertThatThrownBy(() -> parse("foo.service", "StateDirectory=foo:bar"))
                .isInstanceOf(InvalidValueException.class)
                .matches(e -> ((InvalidValueException) e).isFatal())
                .hasMessage("StateDirectory=foo:bar: the PATH:LINK form (a symbolic link to the directory) is not"
                        + " supported by sockact");
    }

    @Test
    void showPrintsTheKeysAsSystemctlDoes() throws InvalidValueException {
        ServiceUnit unit = parse("foo.service", "RuntimeDirectory=a b", "StateDirectoryMode=0700").unit();
        assertThat(UnitProperties.of(unit)).contains(Map.entry("RuntimeDirectory", "a b"),
                Map.entry("RuntimeDirectoryMode", "0755"), Map.entry("StateDirectoryMode", "0700"),
                Map.entry("StateDirectory", ""), Map.entry("RuntimeDirectoryPreserve", "no"),
                Map.entry("DynamicUser", "no"));
    }

    @Test
    void dynamicUserRunsAsTheUnitsPrefixUnlessUserIsSetAndImpliesPrivateTmp() throws InvalidValueException {
        Parsed parsed = parse("web@1.service", "DynamicUser=yes");
        assertThat(parsed.warnings()).singleElement().asString().startsWith("DynamicUser=yes: sockact runs the"
                + " service as the static user of that name with PrivateTmp=yes; the sandboxing systemd also implies");
        ServiceUnit dynamic = parsed.unit();
        assertThat(dynamic.dynamicUser()).isTrue();
        assertThat(dynamic.user()).isEqualTo("web");
        assertThat(dynamic.privateTmp()).isTrue();
        assertThat(parse("web.service", "DynamicUser=yes", "User=www-data").unit().user()).isEqualTo("www-data");
        ServiceUnit plain = parse("web.service", "PrivateNetwork=no").unit();
        assertThat(plain.user()).isEmpty();
        assertThat(plain.privateTmp()).isFalse();
    }
}
