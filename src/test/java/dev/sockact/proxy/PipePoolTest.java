package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Pipes;
import dev.sockact.posix.Processes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real pipes: large ones for bulk transfers, but never more than the bound at once. */
class PipePoolTest {

    @Test
    void pipesAreLargeUpToTheBoundThenSystemdsSize() throws ErrnoException {
        // Over pipe-user-pages-soft (64 MiB) an unprivileged user gets the kernel's default instead.
        assumeTrue(Processes.uid() == 0, "needs root: 64 one-MiB pipes are over the unprivileged soft limit");
        List<PipePool.Pooled> taken = new ArrayList<>();
        try (PipePool pool = new PipePool()) {
            for (int i = 0; i < PipePool.MAX_LARGE + 1; i++) {
                taken.add(pool.take());
            }
            assertThat(taken.subList(0, PipePool.MAX_LARGE)).allSatisfy(p ->
                    assertThat(Pipes.capacity(p.pipe().writeEnd())).isEqualTo(PipePool.LARGE_CAPACITY));
            assertThat(Pipes.capacity(taken.getLast().pipe().writeEnd())).isEqualTo(PipePool.SMALL_CAPACITY);

            pool.give(taken.removeFirst(), false);   // a large one with data in it: closed, its place freed
            PipePool.Pooled next = pool.take();
            taken.add(next);
            assertThat(Pipes.capacity(next.pipe().writeEnd())).isEqualTo(PipePool.LARGE_CAPACITY);

            PipePool.Pooled empty = taken.removeFirst();
            pool.give(empty, true);                  // an empty one is kept and handed out again
            assertThat(pool.take()).isSameAs(empty);
            taken.add(empty);
        } finally {
            taken.forEach(PipePool.Pooled::close);
        }
    }
}
