package dev.sockact.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The text format's details a parser is strict about. */
class ExpositionTest {

    @Test
    void aCounterFamilyIsNamedWithItsTotalSuffixAndWrittenOnce() {
        Exposition out = new Exposition();
        out.counter("sockact_x_total", "Things.", 1, "unit", "a.socket");
        out.counter("sockact_x_total", "Things.", 2, "unit", "b.socket");
        assertThat(out.toString()).isEqualTo("""
                # HELP sockact_x_total Things.
                # TYPE sockact_x_total counter
                sockact_x_total{unit="a.socket"} 1
                sockact_x_total{unit="b.socket"} 2
                """);
    }

    @Test
    void labelValuesAndHelpAreEscaped() {
        Exposition out = new Exposition();
        out.gauge("g", "a \\ b\nc \"q\"", 0.5, "path", "/a\\b\"c\nd");
        assertThat(out.toString()).isEqualTo("""
                # HELP g a \\\\ b\\nc "q"
                # TYPE g gauge
                g{path="/a\\\\b\\"c\\nd"} 0.5
                """);
    }

    @Test
    void aHistogramIsCumulativeWithInfSumAndCount() {
        Histogram h = new Histogram(new double[] {0.001, 0.01});
        h.observeNanos(500_000);
        h.observeNanos(5_000_000);
        h.observeNanos(50_000_000);
        Exposition out = new Exposition();
        out.family("t_seconds", Exposition.Type.HISTOGRAM, "Times.");
        h.writeTo(out, "t_seconds");
        assertThat(out.toString()).contains("t_seconds_bucket{le=\"0.001\"} 1\n", "t_seconds_bucket{le=\"0.01\"} 2\n",
                "t_seconds_bucket{le=\"+Inf\"} 3\n", "t_seconds_count 3\n", "t_seconds_sum 0.0555");
    }

    @Test
    void loopHistogramsAreSummedIntoOne() {
        Histogram first = new Histogram(new double[] {0.001, 0.01});
        Histogram second = new Histogram(new double[] {0.001, 0.01});
        first.observeNanos(1_000_000);   // on the bound: le is inclusive
        second.observeNanos(5_000_000);
        second.observeNanos(50_000_000);
        Exposition out = new Exposition();
        out.family("t_seconds", Exposition.Type.HISTOGRAM, "Times.");
        Histogram.writeSum(out, "t_seconds", java.util.List.of(first, second), "unit", "u");
        assertThat(out.toString()).contains("t_seconds_bucket{unit=\"u\",le=\"0.001\"} 1\n",
                "t_seconds_bucket{unit=\"u\",le=\"0.01\"} 2\n", "t_seconds_bucket{unit=\"u\",le=\"+Inf\"} 3\n",
                "t_seconds_count{unit=\"u\"} 3\n", "t_seconds_sum{unit=\"u\"} 0.056\n");
    }

    @Test
    void aFamilysSamplesStayTogetherWhenSourcesInterleave() {
        Exposition out = new Exposition();
        out.counter("a_total", "A.", 1, "unit", "x");
        out.gauge("b", "B.", 2, "unit", "x");
        out.counter("a_total", "A.", 3, "unit", "y");
        out.gauge("b", "B.", 4, "unit", "y");
        assertThat(out.toString()).isEqualTo("""
                # HELP a_total A.
                # TYPE a_total counter
                a_total{unit="x"} 1
                a_total{unit="y"} 3
                # HELP b B.
                # TYPE b gauge
                b{unit="x"} 2
                b{unit="y"} 4
                """);
    }
}
