package dev.sockact.daemon;

import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.ctl.UnitStatus.LogLine;
import dev.sockact.event.Timer;
import dev.sockact.posix.Processes;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code journal} request ({@code sockctl journal -u UNIT}): a unit's kept lines, the last {@code lines} of
 * them after the request's cursor. With {@code follow}, a follower's poll: the reply waits on the loop for the
 * unit's next line, or {@link #WAIT_NANOS} at most, so {@code -f} needs no polling interval and a follower that went
 * away holds nothing for long.
 */
final class JournalQuery {
    static final long WAIT_NANOS = 10_000_000_000L;

    private JournalQuery() {
        throw new AssertionError();
    }

    static void handle(Manager manager, Request.Journal request, Consumer<Reply> reply) {
        UnitJournal journal = manager.journal();
        String unit = request.unit();
        int max = Math.min(ControlCommands.MAX_LOG_LINES, request.lines());
        if (!request.follow() || !journal.after(unit, request.after(), 1).isEmpty()) {
            reply.accept(answer(journal, unit, request.after(), max));
            return;
        }
        boolean[] done = new boolean[1];
        Timer[] timer = new Timer[1];
        Runnable answer = () -> {
            if (!done[0]) {
                done[0] = true;
                timer[0].cancel();
                reply.accept(answer(journal, unit, request.after(), max));
            }
        };
        Runnable waiter = () -> manager.loop().execute(answer);
        timer[0] = manager.loop().schedule(WAIT_NANOS, () -> {
            journal.cancel(unit, waiter);
            answer.run();
        });
        journal.onNext(unit, waiter);
        if (!journal.after(unit, request.after(), 1).isEmpty()) {
            journal.cancel(unit, waiter);
            answer.run();   // a line came between the first look and the waiter
        }
    }

    /** The lines after {@code after}, at most {@code max}, and the cursor to ask after next time. */
    private static Reply.Journal answer(UnitJournal journal, String unit, long after, int max) {
        List<UnitJournal.Entry> entries = journal.after(unit, after, Math.max(1, max));
        long cursor = entries.isEmpty() ? after : entries.getLast().cursor();
        return new Reply.Journal(unit, lines(max > 0 ? entries : List.of()), cursor, Processes.pid());
    }

    /** Kept lines as the control protocol carries them. */
    static List<LogLine> lines(List<UnitJournal.Entry> entries) {
        List<LogLine> out = new ArrayList<>();
        for (UnitJournal.Entry e : entries) {
            out.add(new LogLine(e.epochMillis(), e.priority(), e.text(), e.identifier(), e.pid()));
        }
        return out;
    }
}
