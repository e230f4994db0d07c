package dev.sockact.daemon;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.event.Timer;
import dev.sockact.posix.Processes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code journal} request ({@code sockctl journal -u UNIT}): a unit's kept lines, the last {@code lines} of
 * them, or those after {@code after} (a cursor from an earlier reply). With {@code wait}, a follower's poll: the
 * reply waits on the loop for the unit's next line, or {@link #WAIT_NANOS} at most, so {@code -f} needs no polling
 * interval and a follower that went away holds nothing for long.
 */
final class JournalQuery {
    static final long WAIT_NANOS = 10_000_000_000L;

    private JournalQuery() {
        throw new AssertionError();
    }

    static void handle(Manager manager, String unit, int lines, long after, boolean wait,
                       ControlCommands.Reply reply) {
        UnitJournal journal = manager.journal();
        if (!wait || !journal.after(unit, after, 1).isEmpty()) {
            reply.send(ControlProtocol.OK, null, data(journal, unit, after, lines));
            return;
        }
        boolean[] done = new boolean[1];
        Timer[] timer = new Timer[1];
        Runnable answer = () -> {
            if (!done[0]) {
                done[0] = true;
                timer[0].cancel();
                reply.send(ControlProtocol.OK, null, data(journal, unit, after, lines));
            }
        };
        Runnable waiter = () -> manager.loop().execute(answer);
        timer[0] = manager.loop().schedule(WAIT_NANOS, () -> {
            journal.cancel(unit, waiter);
            answer.run();
        });
        journal.onNext(unit, waiter);
        if (!journal.after(unit, after, 1).isEmpty()) {
            journal.cancel(unit, waiter);
            answer.run();   // a line came between the first look and the waiter
        }
    }

    /** The reply: {@code entries} (oldest first), and the {@code cursor} to ask after next time. */
    private static Map<String, Object> data(UnitJournal journal, String unit, long after, int max) {
        List<UnitJournal.Entry> lines = journal.after(unit, after, Math.max(1, max));
        long cursor = lines.isEmpty() ? after : lines.getLast().cursor();
        List<Object> entries = entries(max > 0 ? lines : List.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", unit);
        m.put("cursor", cursor);
        m.put("entries", entries);
        m.put("daemonPid", Processes.pid());
        return m;
    }

    /** Lines as the control protocol carries them; {@code identifier} and {@code pid} only for a service's own. */
    static List<Object> entries(List<UnitJournal.Entry> lines) {
        List<Object> out = new ArrayList<>();
        for (UnitJournal.Entry e : lines) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("timeMillis", e.epochMillis());
            m.put("priority", e.priority());
            m.put("text", e.text());
            if (e.identifier() != null) {
                m.put("identifier", e.identifier());
                m.put("pid", e.pid());
            }
            out.add(m);
        }
        return out;
    }
}
