package dev.sockact.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one exit status table: systemd 252's exit_status_mappings[], names to codes and back. */
class ExitStatusNamesTest {
    @Test
    void everyClassHasItsNames() {
        assertThat(ExitStatusNames.name(0)).isEqualTo("SUCCESS");
        assertThat(ExitStatusNames.name(1)).isEqualTo("FAILURE");
        assertThat(ExitStatusNames.name(2)).isEqualTo("INVALIDARGUMENT");
        assertThat(ExitStatusNames.name(7)).isEqualTo("NOTRUNNING");
        assertThat(ExitStatusNames.name(64)).isEqualTo("USAGE");
        assertThat(ExitStatusNames.name(78)).isEqualTo("CONFIG");
        assertThat(ExitStatusNames.name(200)).isEqualTo("CHDIR");
        assertThat(ExitStatusNames.name(203)).isEqualTo("EXEC");
        assertThat(ExitStatusNames.name(231)).isEqualTo("APPARMOR");
        assertThat(ExitStatusNames.name(243)).isEqualTo("CREDENTIALS");
        assertThat(ExitStatusNames.name(245)).isEqualTo("BPF");
        assertThat(ExitStatusNames.name(255)).isEqualTo("EXCEPTION");
    }

    @Test
    void gapsAndOutOfRangeCodesHaveNoName() {
        for (int code : new int[] {8, 42, 63, 79, 199, 223, 234, 244, 246, 254, -1, 256}) {
            assertThat(ExitStatusNames.name(code)).as("code %d", code).isNull();
        }
    }

    @Test
    void namesReadBackToTheirCodes() {
        int named = 0;
        for (int code = 0; code <= 255; code++) {
            String name = ExitStatusNames.name(code);
            if (name != null) {
                assertThat(ExitStatusNames.code(name)).isEqualTo(code);
                named++;
            }
        }
        assertThat(named).isEqualTo(2 + 6 + 15 + 43 + 1);
        assertThat(ExitStatusNames.code("TEMPFAIL")).isEqualTo(75);
        assertThat(ExitStatusNames.code("EXCEPTION")).isEqualTo(255);
    }

    @Test
    void unknownNamesAreMinusOne() {
        assertThat(ExitStatusNames.code("APPARMOR_PROFILE")).isEqualTo(-1);
        assertThat(ExitStatusNames.code("exception")).isEqualTo(-1);
        assertThat(ExitStatusNames.code("255")).isEqualTo(-1);
        assertThat(ExitStatusNames.code("")).isEqualTo(-1);
    }
}
