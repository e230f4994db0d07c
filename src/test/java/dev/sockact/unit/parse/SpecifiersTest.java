package dev.sockact.unit.parse;

import dev.sockact.unit.UnitName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Expectations from systemd's test-unit-name.c (unit_printf) and test-specifier.c. */
class SpecifiersTest {

    private static String expand(String unit, String text) throws Exception {
        UnitName name = UnitName.of(unit);
        return new Specifiers(name, Path.of("/etc/systemd/system/blah@.service"), TestContexts.HOST)
                .expand(text, Specifiers.Table.FULL, Specifiers.PATH_MAX);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "blah@foo-foo.service|%n|blah@foo-foo.service",
        "blah@foo-foo.service|%N|blah@foo-foo",
        "blah@foo-foo.service|%p|blah",
        "blah@foo-foo.service|%P|blah",
        "blah@foo-foo.service|%i|foo-foo",
        "blah@foo-foo.service|%I|foo/foo",
        "blah@foo-foo.service|%f|/foo/foo",
        "blah@foo-foo.service|%j|blah",
        "a-b-c.socket|%j|c",
        "a-b-c.socket|%J|c",
        "a-b-c.socket|%P|a/b/c",
        "a-b-c.socket|%f|/a/b/c",
        "foo.socket|%%|%",
        "foo.socket|%,|%,",
        "foo.socket|%|%",
        "foo.socket|100%|100%",
        "foo.socket|%H %l %m %b %o %w %v %a|host.example.org host m1d b00t debian 12 6.1.0 x86-64",
        "foo.socket|%u %U %g %G %h|root 0 root 0 /root",
        "foo.socket|%t %T %V %E %S %C %L|/run /tmp /var/tmp /etc /var/lib /var/cache /var/log",
        "foo.socket|%y %Y|/etc/systemd/system/blah@.service /etc/systemd/system",
        "x@a\\x2db.service|%I|a-b",
    })
    void expansions(String unit, String text, String expected) throws Exception {
        assertThat(expand(unit, text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"%e", "%z", "%0", "a%Z"})
    void unknownLettersAndDigitsAreInvalidSlots(String text) {
        assertThatThrownBy(() -> expand("foo.socket", text)).hasMessage("Invalid slot");
    }

    @ParameterizedTest
    @CsvSource({"%y", "%h", "%t"})
    void nameTableHasOnlyNameSpecifiers(String text) {
        UnitName name = UnitName.of("foo.socket");
        Specifiers specifiers = new Specifiers(name, null, TestContexts.HOST);
        assertThatThrownBy(() -> specifiers.expand(text, Specifiers.Table.NAME, 255)).hasMessage("Invalid slot");
    }
}
