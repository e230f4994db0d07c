package dev.sockact.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** fnmatch(3) without flags (and with FNM_CASEFOLD), as ConditionHost= and ConditionKernelVersion= use it. */
class FnmatchTest {

    @Test
    void wildcardsSetsAndEscapes() {
        assertThat(Fnmatch.matches("6.*", "6.1.0-18-amd64", false)).isTrue();
        assertThat(Fnmatch.matches("*", "a/b", false)).as("no FNM_PATHNAME: * crosses /").isTrue();
        assertThat(Fnmatch.matches("v?", "vm", false)).isTrue();
        assertThat(Fnmatch.matches("v?", "v", false)).isFalse();
        assertThat(Fnmatch.matches("[a-c]x", "bx", false)).isTrue();
        assertThat(Fnmatch.matches("[!a-c]x", "bx", false)).isFalse();
        assertThat(Fnmatch.matches("[^a-c]x", "dx", false)).isTrue();
        assertThat(Fnmatch.matches("[]]", "]", false)).isTrue();
        assertThat(Fnmatch.matches("\\*", "*", false)).isTrue();
        assertThat(Fnmatch.matches("\\*", "x", false)).isFalse();
        assertThat(Fnmatch.matches("[ab", "[ab", false)).as("an unclosed [ is literal").isTrue();
        assertThat(Fnmatch.matches("HOST*", "host.example", true)).isTrue();
        assertThat(Fnmatch.matches("HOST*", "host.example", false)).isFalse();
        assertThat(Fnmatch.matches("[A-Z]ost", "host", true)).isTrue();
    }
}
