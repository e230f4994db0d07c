package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.posix.Fd;
import dev.sockact.posix.Pipes;
import dev.sockact.posix.SpawnRequest;
import dev.sockact.unit.ExecCommand;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ExecSpawner#prepare}: the launch made last is given again, with the new stdio, for the same command,
 * context, extra environment and passed fds; anything else that differs gets its own.
 */
class ExecSpawnerPrepareTest {
    private static final ExecCommand ECHO = new ExecCommand("/bin/echo", List.of("echo", "${WORD}"), Set.of());

    private static ExecSpawner.Context context(String word) {
        return new ExecSpawner.Context("t.service", Map.of("WORD", word), List.of(), "/");
    }

    private static ExecSpawner.Stdio stdio(Fd stdout, List<Fd> fds) {
        return new ExecSpawner.Stdio(fds, null, stdout, null);
    }

    @Test
    void theSameInputsGetTheLastLaunchWithTheirOwnStdioAndOtherInputsTheirOwn() throws Exception {
        ExecSpawner.Context context = context("one");
        try (Pipes.Pipe a = Pipes.pipe(0); Pipes.Pipe b = Pipes.pipe(0); Pipes.Pipe listening = Pipes.pipe(0)) {
            List<Fd> fds = List.of(listening.readEnd());
            Map<String, String> extra = Map.of("LISTEN_FDS", "1");
            SpawnRequest first = ExecSpawner.prepare(ECHO, context, stdio(a.writeEnd(), fds), extra).request();
            SpawnRequest again = ExecSpawner.prepare(ECHO, context, stdio(b.writeEnd(), fds), extra).request();
            assertThat(again.stdout()).isSameAs(b.writeEnd());
            assertThat(again.argv()).isSameAs(first.argv()).containsExactly("echo", "one");
            assertThat(again.environment()).isSameAs(first.environment());
            assertThat(again.passFds()).containsExactly(listening.readEnd());

            assertThat(ExecSpawner.prepare(ECHO, context("two"), stdio(b.writeEnd(), fds), extra).request().argv())
                    .containsExactly("echo", "two");
            assertThat(ExecSpawner.prepare(ECHO, context, stdio(b.writeEnd(), fds), Map.of("LISTEN_FDS", "2"))
                    .request().environment()).contains("LISTEN_FDS=2");
            assertThat(ExecSpawner.prepare(ECHO, context, stdio(b.writeEnd(), List.of(listening.writeEnd())), extra)
                    .request().passFds()).containsExactly(listening.writeEnd());
            ExecCommand other = new ExecCommand("/bin/echo", List.of("echo", "other"), Set.of());
            assertThat(ExecSpawner.prepare(other, context, stdio(b.writeEnd(), fds), extra).request().argv())
                    .containsExactly("echo", "other");
        }
    }
}
