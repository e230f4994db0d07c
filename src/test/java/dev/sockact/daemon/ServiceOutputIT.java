package dev.sockact.daemon;

import dev.sockact.testing.Await;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.Sockctl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service's own output with systemd's default StandardOutput=journal: kept per unit with its identifier, pid and
 * {@code <N>} priority, shown by {@code sockctl status} and {@code sockctl journal}, followed with {@code -f}, and
 * bounded when the service writes without pause.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServiceOutputIT {
    private static final String LINE_START = "\\w{3} \\d{2} \\d{2}:\\d{2}:\\d{2} \\S+ ";

    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    private DaemonProcess startService(String name, String service) throws IOException, InterruptedException {
        Files.writeString(daemons.units().resolve(name), service);
        DaemonProcess d = daemons.start();
        daemons.awaitControlSocket();
        Sockctl.Run start = daemons.ctl("start", name);
        assertThat(start.status()).as(start.err() + d.log()).isZero();
        return d;
    }

    @Test
    void statusAndJournalShowStdoutAndStderrWithTheirPriorityPrefixes() throws Exception {
        DaemonProcess d = startService("talk.service", "[Service]\nExecStart=/bin/sh -c 'echo \"<3>on fire\";"
                + " echo to stdout; echo \"<5>to stderr\" >&2; exec sleep 600'\n");
        d.await("to stderr");
        Sockctl.Run status = daemons.ctl("status", "talk.service");
        assertThat(status.out()).as(status.err()).containsPattern(
                "(?m)^" + LINE_START + "sh\\[\\d+\\]: on fire\n" + LINE_START + "sh\\[\\d+\\]: to stdout\n"
                        + LINE_START + "sh\\[\\d+\\]: to stderr$");
        Matcher pid = Pattern.compile("Main PID: (\\d+)").matcher(status.out());
        assertThat(pid.find()).as(status.out()).isTrue();
        assertThat(status.out()).contains("sh[" + pid.group(1) + "]: on fire");

        Sockctl.Run last2 = daemons.ctl("journal", "-u", "talk.service", "-n", "2");
        assertThat(last2.status()).as(last2.err()).isZero();
        assertThat(last2.out().lines().toList()).hasSize(2);
        assertThat(last2.out()).matches(LINE_START + "sh\\[\\d+\\]: to stdout\n" + LINE_START
                + "sh\\[\\d+\\]: to stderr\n");

        Sockctl.Run json = daemons.ctl("journal", "-u", "talk", "-o", "json", "-n", "3");
        assertThat(json.out()).containsPattern("\\{\"timeMillis\":\\d+,\"priority\":3,\"text\":\"on fire\","
                + "\"identifier\":\"sh\",\"pid\":\\d+}.*\"priority\":6,\"text\":\"to stdout\".*"
                + "\"priority\":5,\"text\":\"to stderr\"");
    }

    @Test
    void syslogIdentifierNamesTheLinesAndSyslogLevelPrefixNoKeepsThePrefix() throws Exception {
        DaemonProcess d = startService("named.service", "[Service]\nSyslogIdentifier=teller\nSyslogLevelPrefix=no\n"
                + "SyslogLevel=notice\nExecStart=/bin/sh -c 'echo \"<3>as written\"; exec sleep 600'\n");
        d.await("as written");
        Sockctl.Run cat = daemons.ctl("journal", "-u", "named.service", "-o", "json");
        assertThat(cat.out()).contains("\"priority\":5", "\"text\":\"<3>as written\"", "\"identifier\":\"teller\"");
        assertThat(daemons.ctl("status", "named.service").out()).containsPattern(
                "(?m)^" + LINE_START + "teller\\[\\d+\\]: <3>as written$");
    }

    @Test
    void followPrintsNewLinesAsTheyCome() throws Exception {
        Path fifo = dir.resolve("go");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        DaemonProcess d = startService("slow.service", "[Service]\nExecStart=/bin/sh -c 'echo first; read x < "
                + fifo + "; echo second; exec sleep 600'\n");
        d.await("first");
        Path out = dir.resolve("follow.txt");
        Process follower = new ProcessBuilder(Sockctl.PATH.toString(), "journal", "-u", "slow.service", "-f",
                "--control-socket", daemons.controlSocket().toString())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Await.until("the follower's first line", () -> read(out).contains(": first"));
            assertThat(read(out)).doesNotContain("second");
            Files.writeString(fifo, "go\n");
            Await.until("the follower's new line", () -> read(out).contains(": second"));
            assertThat(follower.isAlive()).isTrue();
        } finally {
            follower.destroyForcibly().waitFor();
        }
    }

    @Test
    void aServiceWriting100MegabytesKeepsTheDaemonBoundedAndIsSuppressed() throws Exception {
        Files.writeString(daemons.units().resolve("warmup.service"), "[Service]\nExecStart=/bin/sh -c"
                + " 'yes warm up the output path | head -n 20000'\n");
        DaemonProcess d = startService("chatty.service", "[Service]\nExecStart=/bin/sh -c"
                + " 'yes a chatty service writes this line over and over | head -c 100000000'\n");
        daemons.ctl("start", "warmup.service");
        Await.until("the warm-up's suppressed lines", () -> journal("warmup.service").contains("Suppressed"));
        long before = rssKiB(d.process.pid());
        Await.until("the chatty service's end", () -> {
            try {
                return daemons.activeState("chatty.service").equals("inactive")
                        && journal("chatty.service").contains("Suppressed");
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        long after = rssKiB(d.process.pid());
        String journal = journal("chatty.service");
        // 100 MB of 48-byte lines is ~2.08 million lines; a 30 s interval admits 10000 of them (maybe twice).
        Matcher suppressed = Pattern.compile("Suppressed (\\d+) messages from chatty.service").matcher(journal);
        assertThat(suppressed.find()).as(journal).isTrue();
        assertThat(Long.parseLong(suppressed.group(1))).isGreaterThan(2_000_000L - 3 * UnitJournal.RATE_LIMIT_BURST);
        assertThat(journal.lines().count()).isLessThanOrEqualTo(UnitJournal.LINES_PER_UNIT + 1);
        assertThat(after - before).as("VmRSS grew from %d to %d KiB", before, after).isLessThan(64 * 1024);
    }

    private String journal(String unit) {
        try {
            return daemons.ctl("journal", "-u", unit).out();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(List.of(line.split("\\s+")).get(1));
            }
        }
        throw new AssertionError("no VmRSS in /proc/" + pid + "/status");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
