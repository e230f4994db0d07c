package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.load.LoadResult;
import dev.sockact.unit.load.UnitLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every state × event of {@link ServiceRuntime} (Type=notify, every Exec*= line set, Restart=always,
 * RemainAfterExit=yes, KillMode=control-group), driven through a {@link FakeUnitContext}: the next state, the
 * result and the side effects, one test per cell. Each state is reached by a path of events from dead; an event
 * that cannot happen in a state (no such process to exit) is delivered as far as it can be and the cell asserts
 * that nothing changes.
 */
class ServiceRuntimeStatesTest {
    enum Event { START, STOP, RELOAD, MAIN_SUCCESS, MAIN_FAILURE, CONTROL_SUCCESS, CONTROL_FAILURE, TIMEOUT, READY,
        STOPPING }

    private static final List<Event> TO_RUNNING = List.of(Event.START, Event.CONTROL_SUCCESS, Event.READY,
            Event.CONTROL_SUCCESS);
    private static final Map<ServiceState, List<Event>> PATHS = new EnumMap<>(ServiceState.class);

    static {
        PATHS.put(ServiceState.DEAD, List.of());
        PATHS.put(ServiceState.START_PRE, List.of(Event.START));
        PATHS.put(ServiceState.START, List.of(Event.START, Event.CONTROL_SUCCESS));
        PATHS.put(ServiceState.START_POST, List.of(Event.START, Event.CONTROL_SUCCESS, Event.READY));
        PATHS.put(ServiceState.RUNNING, TO_RUNNING);
        PATHS.put(ServiceState.EXITED, then(TO_RUNNING, Event.MAIN_SUCCESS));
        PATHS.put(ServiceState.RELOAD, then(TO_RUNNING, Event.RELOAD));
        PATHS.put(ServiceState.STOP, then(TO_RUNNING, Event.STOP));
        PATHS.put(ServiceState.STOP_SIGTERM, then(TO_RUNNING, Event.STOP, Event.CONTROL_SUCCESS));
        PATHS.put(ServiceState.STOP_SIGKILL, then(TO_RUNNING, Event.STOP, Event.CONTROL_SUCCESS, Event.TIMEOUT));
        PATHS.put(ServiceState.STOP_POST, then(TO_RUNNING, Event.STOP, Event.CONTROL_SUCCESS, Event.MAIN_SUCCESS));
        PATHS.put(ServiceState.FINAL_SIGTERM, then(TO_RUNNING, Event.STOP, Event.CONTROL_SUCCESS, Event.MAIN_SUCCESS,
                Event.TIMEOUT));
        PATHS.put(ServiceState.FINAL_SIGKILL, then(TO_RUNNING, Event.STOP, Event.CONTROL_SUCCESS, Event.MAIN_SUCCESS,
                Event.TIMEOUT, Event.TIMEOUT));
        PATHS.put(ServiceState.AUTO_RESTART, then(TO_RUNNING, Event.MAIN_FAILURE, Event.CONTROL_SUCCESS));
        PATHS.put(ServiceState.FAILED, then(TO_RUNNING, Event.MAIN_FAILURE, Event.CONTROL_SUCCESS, Event.STOP));
    }

    private static List<Event> then(List<Event> first, Event... more) {
        List<Event> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    /** STATE EVENT -> NEXT RESULT | side effects, for every cell. */
    private static final String TABLE = """
            DEAD START                    -> start-pre success | timer 90s; spawn start-pre
            DEAD STOP                     -> dead success |
            DEAD RELOAD                   -> dead success |
            DEAD MAIN_SUCCESS             -> dead success |
            DEAD MAIN_FAILURE             -> dead success |
            DEAD CONTROL_SUCCESS          -> dead success |
            DEAD CONTROL_FAILURE          -> dead success |
            DEAD TIMEOUT                  -> dead success |
            DEAD READY                    -> dead success |
            DEAD STOPPING                 -> dead success |

            START_PRE START               -> start-pre success |
            START_PRE STOP                -> stop-sigterm success | killpg TERM start-pre; killpg CONT start-pre; timer 90s
            START_PRE RELOAD              -> start-pre success |
            START_PRE MAIN_SUCCESS        -> start-pre success |
            START_PRE MAIN_FAILURE        -> start-pre success |
            START_PRE CONTROL_SUCCESS     -> start success | timer 90s; spawn main
            START_PRE CONTROL_FAILURE     -> stop-post exit-code | timer 90s; spawn stop-post
            START_PRE TIMEOUT             -> stop-sigterm timeout | killpg TERM start-pre; killpg CONT start-pre; timer 90s
            START_PRE READY               -> start-pre success |
            START_PRE STOPPING            -> start-pre success |

            START START                   -> start success |
            START STOP                    -> stop-sigterm success | killpg TERM main; killpg CONT main; timer 90s
            START RELOAD                  -> start success |
            START MAIN_SUCCESS            -> stop-post protocol | timer 90s; spawn stop-post
            START MAIN_FAILURE            -> stop-post exit-code | timer 90s; spawn stop-post
            START CONTROL_SUCCESS         -> start success |
            START CONTROL_FAILURE         -> start success |
            START TIMEOUT                 -> stop-sigterm timeout | killpg TERM main; killpg CONT main; timer 90s
            START READY                   -> start-post success | timer 90s; spawn start-post
            START STOPPING                -> start success |

            START_POST START              -> start-post success |
            START_POST STOP               -> stop-sigterm success | killpg TERM main; killpg CONT main; killpg TERM start-post; killpg CONT start-post; timer 90s
            START_POST RELOAD             -> start-post success |
            START_POST MAIN_SUCCESS       -> start-post success |
            START_POST MAIN_FAILURE       -> start-post exit-code |
            START_POST CONTROL_SUCCESS    -> running success |
            START_POST CONTROL_FAILURE    -> stop-sigterm exit-code | killpg TERM main; killpg CONT main; timer 90s
            START_POST TIMEOUT            -> stop-sigterm timeout | killpg TERM main; killpg CONT main; killpg TERM start-post; killpg CONT start-post; timer 90s
            START_POST READY              -> start-post success |
            START_POST STOPPING           -> start-post success |

            RUNNING START                 -> running success |
            RUNNING STOP                  -> stop success | timer 90s; spawn stop
            RUNNING RELOAD                -> reload success | timer 90s; spawn reload
            RUNNING MAIN_SUCCESS          -> exited success |
            RUNNING MAIN_FAILURE          -> stop-post exit-code | timer 90s; spawn stop-post
            RUNNING CONTROL_SUCCESS       -> running success |
            RUNNING CONTROL_FAILURE       -> running success |
            RUNNING TIMEOUT               -> running success |
            RUNNING READY                 -> running success |
            RUNNING STOPPING              -> stop-sigterm success | timer 90s

            EXITED START                  -> exited success |
            EXITED STOP                   -> stop success | timer 90s; spawn stop
            EXITED RELOAD                 -> reload success | timer 90s; spawn reload
            EXITED MAIN_SUCCESS           -> exited success |
            EXITED MAIN_FAILURE           -> exited success |
            EXITED CONTROL_SUCCESS        -> exited success |
            EXITED CONTROL_FAILURE        -> exited success |
            EXITED TIMEOUT                -> exited success |
            EXITED READY                  -> exited success |
            EXITED STOPPING               -> exited success |

            RELOAD START                  -> reload success |
            RELOAD STOP                   -> stop success | timer 90s; spawn stop
            RELOAD RELOAD                 -> reload success |
            RELOAD MAIN_SUCCESS           -> reload success |
            RELOAD MAIN_FAILURE           -> reload exit-code |
            RELOAD CONTROL_SUCCESS        -> running success |
            RELOAD CONTROL_FAILURE        -> running success |
            RELOAD TIMEOUT                -> running success | killpg KILL reload
            RELOAD READY                  -> reload success |
            RELOAD STOPPING               -> reload success |

            STOP START                    -> stop success |
            STOP STOP                     -> stop success |
            STOP RELOAD                   -> stop success |
            STOP MAIN_SUCCESS             -> stop success |
            STOP MAIN_FAILURE             -> stop exit-code |
            STOP CONTROL_SUCCESS          -> stop-sigterm success | killpg TERM main; killpg CONT main; timer 90s
            STOP CONTROL_FAILURE          -> stop-sigterm exit-code | killpg TERM main; killpg CONT main; timer 90s
            STOP TIMEOUT                  -> stop-sigterm timeout | killpg TERM main; killpg CONT main; killpg TERM stop; killpg CONT stop; timer 90s
            STOP READY                    -> stop success |
            STOP STOPPING                 -> stop success |

            STOP_SIGTERM START            -> stop-sigterm success |
            STOP_SIGTERM STOP             -> stop-sigterm success |
            STOP_SIGTERM RELOAD           -> stop-sigterm success |
            STOP_SIGTERM MAIN_SUCCESS     -> stop-post success | timer 90s; spawn stop-post
            STOP_SIGTERM MAIN_FAILURE     -> stop-post exit-code | timer 90s; spawn stop-post
            STOP_SIGTERM CONTROL_SUCCESS  -> stop-sigterm success |
            STOP_SIGTERM CONTROL_FAILURE  -> stop-sigterm success |
            STOP_SIGTERM TIMEOUT          -> stop-sigkill timeout | killpg KILL main; timer 90s
            STOP_SIGTERM READY            -> stop-sigterm success |
            STOP_SIGTERM STOPPING         -> stop-sigterm success |

            STOP_SIGKILL START            -> stop-sigkill timeout |
            STOP_SIGKILL STOP             -> stop-sigkill timeout |
            STOP_SIGKILL RELOAD           -> stop-sigkill timeout |
            STOP_SIGKILL MAIN_SUCCESS     -> stop-post timeout | timer 90s; spawn stop-post
            STOP_SIGKILL MAIN_FAILURE     -> stop-post timeout | timer 90s; spawn stop-post
            STOP_SIGKILL CONTROL_SUCCESS  -> stop-sigkill timeout |
            STOP_SIGKILL CONTROL_FAILURE  -> stop-sigkill timeout |
            STOP_SIGKILL TIMEOUT          -> stop-post timeout | timer 90s; spawn stop-post
            STOP_SIGKILL READY            -> stop-sigkill timeout |
            STOP_SIGKILL STOPPING         -> stop-sigkill timeout |

            STOP_POST START               -> stop-post success |
            STOP_POST STOP                -> stop-post success |
            STOP_POST RELOAD              -> stop-post success |
            STOP_POST MAIN_SUCCESS        -> stop-post success |
            STOP_POST MAIN_FAILURE        -> stop-post success |
            STOP_POST CONTROL_SUCCESS     -> dead success |
            STOP_POST CONTROL_FAILURE     -> failed exit-code |
            STOP_POST TIMEOUT             -> final-sigterm timeout | killpg TERM stop-post; killpg CONT stop-post; timer 90s
            STOP_POST READY               -> stop-post success |
            STOP_POST STOPPING            -> stop-post success |

            FINAL_SIGTERM START           -> final-sigterm timeout |
            FINAL_SIGTERM STOP            -> final-sigterm timeout |
            FINAL_SIGTERM RELOAD          -> final-sigterm timeout |
            FINAL_SIGTERM MAIN_SUCCESS    -> final-sigterm timeout |
            FINAL_SIGTERM MAIN_FAILURE    -> final-sigterm timeout |
            FINAL_SIGTERM CONTROL_SUCCESS -> failed timeout |
            FINAL_SIGTERM CONTROL_FAILURE -> failed timeout |
            FINAL_SIGTERM TIMEOUT         -> final-sigkill timeout | killpg KILL stop-post; timer 90s
            FINAL_SIGTERM READY           -> final-sigterm timeout |
            FINAL_SIGTERM STOPPING        -> final-sigterm timeout |

            FINAL_SIGKILL START           -> final-sigkill timeout |
            FINAL_SIGKILL STOP            -> final-sigkill timeout |
            FINAL_SIGKILL RELOAD          -> final-sigkill timeout |
            FINAL_SIGKILL MAIN_SUCCESS    -> final-sigkill timeout |
            FINAL_SIGKILL MAIN_FAILURE    -> final-sigkill timeout |
            FINAL_SIGKILL CONTROL_SUCCESS -> failed timeout |
            FINAL_SIGKILL CONTROL_FAILURE -> failed timeout |
            FINAL_SIGKILL TIMEOUT         -> failed timeout |
            FINAL_SIGKILL READY           -> final-sigkill timeout |
            FINAL_SIGKILL STOPPING        -> final-sigkill timeout |

            FAILED START                  -> start-pre success | timer 90s; spawn start-pre
            FAILED STOP                   -> failed exit-code |
            FAILED RELOAD                 -> failed exit-code |
            FAILED MAIN_SUCCESS           -> failed exit-code |
            FAILED MAIN_FAILURE           -> failed exit-code |
            FAILED CONTROL_SUCCESS        -> failed exit-code |
            FAILED CONTROL_FAILURE        -> failed exit-code |
            FAILED TIMEOUT                -> failed exit-code |
            FAILED READY                  -> failed exit-code |
            FAILED STOPPING               -> failed exit-code |

            AUTO_RESTART START            -> start-pre success | timer 90s; spawn start-pre
            AUTO_RESTART STOP             -> failed exit-code |
            AUTO_RESTART RELOAD           -> auto-restart exit-code |
            AUTO_RESTART MAIN_SUCCESS     -> auto-restart exit-code |
            AUTO_RESTART MAIN_FAILURE     -> auto-restart exit-code |
            AUTO_RESTART CONTROL_SUCCESS  -> auto-restart exit-code |
            AUTO_RESTART CONTROL_FAILURE  -> auto-restart exit-code |
            AUTO_RESTART TIMEOUT          -> start-pre success | timer 90s; spawn start-pre
            AUTO_RESTART READY            -> auto-restart exit-code |
            AUTO_RESTART STOPPING         -> auto-restart exit-code |
            """;

    @TempDir
    Path dir;

    static Stream<Arguments> cells() {
        return Cells.all(ServiceState.class, Event.class);
    }

    @ParameterizedTest(name = "{0} × {1}")
    @MethodSource("cells")
    void cell(ServiceState state, Event event) throws Exception {
        assertThat(run(state, event).strip()).isEqualTo(Cells.expected(TABLE, state, event));
    }

    private String run(ServiceState state, Event event) throws Exception {
        Files.writeString(dir.resolve("t.service"), """
                [Service]
                Type=notify
                ExecStartPre=/x/start-pre
                ExecStart=/x/main
                ExecStartPost=/x/start-post
                ExecReload=/x/reload
                ExecStop=/x/stop
                ExecStopPost=/x/stop-post
                Restart=always
                RestartSec=5
                RemainAfterExit=yes
                TimeoutSec=90
                """);
        UnitLoader loader = new UnitLoader(List.of(dir), HostInfo.current(ManagerScope.USER));
        LoadResult<ServiceUnit> unit = loader.loadService("t.service");
        assertThat(unit.loaded()).as(unit.diagnostics().toString()).isTrue();
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            ServiceRuntime service = new ServiceRuntime(context, unit.unit());
            for (Event step : PATHS.get(state)) {
                deliver(context, service, step);
            }
            assertThat(service.state()).as("reached by " + PATHS.get(state)).isEqualTo(state);
            context.takeEffects();
            deliver(context, service, event);
            return service.state() + " " + service.result() + " | " + String.join("; ", context.takeEffects());
        }
    }

    private static void deliver(FakeUnitContext context, ServiceRuntime service, Event event) {
        switch (event) {
            case START -> service.start();
            case STOP -> service.stop();
            case RELOAD -> service.reload();
            case MAIN_SUCCESS, MAIN_FAILURE -> exit(context, true, event == Event.MAIN_SUCCESS);
            case CONTROL_SUCCESS, CONTROL_FAILURE -> exit(context, false, event == Event.CONTROL_SUCCESS);
            case TIMEOUT -> context.fireTimers(1_000_000_000L);
            case READY -> service.notified(Map.of("READY", "1"));
            case STOPPING -> service.notified(Map.of("STOPPING", "1"));
        }
    }

    private static void exit(FakeUnitContext context, boolean main, boolean success) {
        List<FakeUnitContext.Process> running = context.running().stream()
                .filter(p -> p.command().equals("main") == main).toList();
        if (!running.isEmpty()) {
            context.exit(running.getLast(), success ? 0 : 1);
        }
    }
}
