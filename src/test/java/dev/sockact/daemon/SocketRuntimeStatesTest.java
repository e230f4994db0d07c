package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.posix.Epoll;
import dev.sockact.posix.Processes;
import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
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
 * Every state × event of {@link SocketRuntime} (Accept=no, every Exec*= line set, SocketUser= so that start-chown
 * is passed), driven through a {@link FakeUnitContext}: the next state and the side effects, one test per cell.
 * Each state is reached by its shortest path of events from dead; start-chown, which the machine leaves at once,
 * gets its event from inside the state change. An event that cannot happen in a state (no control process to
 * exit, no fd watched) is delivered as far as it can be and the cell asserts that nothing changes.
 */
class SocketRuntimeStatesTest {
    enum Event { START, STOP, CONTROL_SUCCESS, CONTROL_FAILURE, TIMEOUT, CONNECTION, HANGUP, SERVICE_STARTS,
        SERVICE_ENDS }

    private static final Map<SocketState, List<Event>> PATHS = new EnumMap<>(SocketState.class);

    static {
        PATHS.put(SocketState.DEAD, List.of());
        PATHS.put(SocketState.START_PRE, List.of(Event.START));
        PATHS.put(SocketState.START_CHOWN, List.of(Event.START, Event.CONTROL_SUCCESS));
        PATHS.put(SocketState.START_POST, List.of(Event.START, Event.CONTROL_SUCCESS));
        PATHS.put(SocketState.LISTENING, List.of(Event.START, Event.CONTROL_SUCCESS, Event.CONTROL_SUCCESS));
        PATHS.put(SocketState.RUNNING, List.of(Event.START, Event.CONTROL_SUCCESS, Event.CONTROL_SUCCESS,
                Event.CONNECTION));
        PATHS.put(SocketState.STOP_PRE, List.of(Event.START, Event.CONTROL_SUCCESS, Event.CONTROL_SUCCESS,
                Event.STOP));
        PATHS.put(SocketState.STOP_PRE_SIGTERM, List.of(Event.START, Event.CONTROL_SUCCESS, Event.CONTROL_SUCCESS,
                Event.STOP, Event.TIMEOUT));
        PATHS.put(SocketState.STOP_PRE_SIGKILL, List.of(Event.START, Event.CONTROL_SUCCESS, Event.CONTROL_SUCCESS,
                Event.STOP, Event.TIMEOUT, Event.TIMEOUT));
        PATHS.put(SocketState.STOP_POST, List.of(Event.START, Event.CONTROL_SUCCESS, Event.CONTROL_SUCCESS,
                Event.STOP, Event.CONTROL_SUCCESS));
        PATHS.put(SocketState.FINAL_SIGTERM, List.of(Event.START, Event.CONTROL_SUCCESS, Event.CONTROL_SUCCESS,
                Event.STOP, Event.CONTROL_SUCCESS, Event.TIMEOUT));
        PATHS.put(SocketState.FINAL_SIGKILL, List.of(Event.START, Event.CONTROL_SUCCESS, Event.CONTROL_SUCCESS,
                Event.STOP, Event.CONTROL_SUCCESS, Event.TIMEOUT, Event.TIMEOUT));
        PATHS.put(SocketState.FAILED, List.of(Event.START, Event.CONTROL_FAILURE));
    }

    /**
     * STATE EVENT -> NEXT RESULT | side effects, for every cell. Start-chown's rows show where the machine goes
     * on from it: the event is handled inside the state change (as a job reacting to it would be), and the chown
     * step then carries on to start-post, even after a stop. A connection spawns the (plain) service's main process
     * ahead of its start job (ServiceRuntime.spawnAhead, SpawnAheadTest).
     */
    private static final String TABLE = """
            DEAD START                       -> start-pre success | timer 90s; spawn start-pre
            DEAD STOP                        -> dead success |
            DEAD CONTROL_SUCCESS             -> dead success |
            DEAD CONTROL_FAILURE             -> dead success |
            DEAD TIMEOUT                     -> dead success |
            DEAD CONNECTION                  -> dead success |
            DEAD HANGUP                      -> dead success |
            DEAD SERVICE_STARTS              -> dead success | timer 90s; spawn main
            DEAD SERVICE_ENDS                -> dead success |

            START_PRE START                  -> start-pre success |
            START_PRE STOP                   -> stop-pre-sigterm success | killpg TERM start-pre; timer 90s
            START_PRE CONTROL_SUCCESS        -> start-post success | timer 90s; spawn start-post
            START_PRE CONTROL_FAILURE        -> failed exit-code |
            START_PRE TIMEOUT                -> final-sigterm timeout | killpg TERM start-pre; timer 90s
            START_PRE CONNECTION             -> start-pre success |
            START_PRE HANGUP                 -> start-pre success |
            START_PRE SERVICE_STARTS         -> start-pre success | timer 90s; spawn main
            START_PRE SERVICE_ENDS           -> start-pre success |

            START_CHOWN START                -> start-post success | timer 90s; spawn start-post
            START_CHOWN STOP                 -> start-post success | spawn stop-post; timer 90s; timer 90s; spawn start-post
            START_CHOWN CONTROL_SUCCESS      -> start-post success | timer 90s; spawn start-post
            START_CHOWN CONTROL_FAILURE      -> start-post success | timer 90s; spawn start-post
            START_CHOWN TIMEOUT              -> start-post success | timer 90s; spawn start-post
            START_CHOWN CONNECTION           -> start-post success | timer 90s; spawn start-post
            START_CHOWN HANGUP               -> start-post success | timer 90s; spawn start-post
            START_CHOWN SERVICE_STARTS       -> start-post success | timer 90s; spawn main; timer 90s; spawn start-post
            START_CHOWN SERVICE_ENDS         -> start-post success | timer 90s; spawn start-post

            START_POST START                 -> start-post success |
            START_POST STOP                  -> stop-pre-sigterm success | killpg TERM start-post; timer 90s
            START_POST CONTROL_SUCCESS       -> listening success |
            START_POST CONTROL_FAILURE       -> stop-pre exit-code | timer 90s; spawn stop-pre
            START_POST TIMEOUT               -> stop-pre timeout | timer 90s; spawn stop-pre
            START_POST CONNECTION            -> start-post success |
            START_POST HANGUP                -> start-post success |
            START_POST SERVICE_STARTS        -> start-post success | timer 90s; spawn main
            START_POST SERVICE_ENDS          -> start-post success |

            LISTENING START                  -> listening success |
            LISTENING STOP                   -> stop-pre success | timer 90s; spawn stop-pre
            LISTENING CONTROL_SUCCESS        -> listening success |
            LISTENING CONTROL_FAILURE        -> listening success |
            LISTENING TIMEOUT                -> listening success |
            LISTENING CONNECTION             -> running success | spawn main; job t.service; timer 90s
            LISTENING HANGUP                 -> stop-pre resources | timer 90s; spawn stop-pre
            LISTENING SERVICE_STARTS         -> running success | timer 90s; spawn main
            LISTENING SERVICE_ENDS           -> listening success |

            RUNNING START                    -> running success |
            RUNNING STOP                     -> stop-pre success | timer 90s; spawn stop-pre
            RUNNING CONTROL_SUCCESS          -> running success |
            RUNNING CONTROL_FAILURE          -> running success |
            RUNNING TIMEOUT                  -> running success |
            RUNNING CONNECTION               -> running success |
            RUNNING HANGUP                   -> running success |
            RUNNING SERVICE_STARTS           -> running success |
            RUNNING SERVICE_ENDS             -> listening success |

            STOP_PRE START                   -> stop-pre success |
            STOP_PRE STOP                    -> stop-pre success |
            STOP_PRE CONTROL_SUCCESS         -> stop-post success | spawn stop-post; timer 90s
            STOP_PRE CONTROL_FAILURE         -> stop-post exit-code | spawn stop-post; timer 90s
            STOP_PRE TIMEOUT                 -> stop-pre-sigterm timeout | killpg TERM stop-pre; timer 90s
            STOP_PRE CONNECTION              -> stop-pre success |
            STOP_PRE HANGUP                  -> stop-pre success |
            STOP_PRE SERVICE_STARTS          -> stop-pre success | timer 90s; spawn main
            STOP_PRE SERVICE_ENDS            -> stop-pre success |

            STOP_PRE_SIGTERM START           -> stop-pre-sigterm timeout |
            STOP_PRE_SIGTERM STOP            -> stop-pre-sigterm timeout |
            STOP_PRE_SIGTERM CONTROL_SUCCESS -> stop-post timeout | spawn stop-post; timer 90s
            STOP_PRE_SIGTERM CONTROL_FAILURE -> stop-post timeout | spawn stop-post; timer 90s
            STOP_PRE_SIGTERM TIMEOUT         -> stop-pre-sigkill timeout | killpg KILL stop-pre; timer 90s
            STOP_PRE_SIGTERM CONNECTION      -> stop-pre-sigterm timeout |
            STOP_PRE_SIGTERM HANGUP          -> stop-pre-sigterm timeout |
            STOP_PRE_SIGTERM SERVICE_STARTS  -> stop-pre-sigterm timeout | timer 90s; spawn main
            STOP_PRE_SIGTERM SERVICE_ENDS    -> stop-pre-sigterm timeout |

            STOP_PRE_SIGKILL START           -> stop-pre-sigkill timeout |
            STOP_PRE_SIGKILL STOP            -> stop-pre-sigkill timeout |
            STOP_PRE_SIGKILL CONTROL_SUCCESS -> stop-post timeout | spawn stop-post; timer 90s
            STOP_PRE_SIGKILL CONTROL_FAILURE -> stop-post timeout | spawn stop-post; timer 90s
            STOP_PRE_SIGKILL TIMEOUT         -> stop-post timeout | spawn stop-post; timer 90s
            STOP_PRE_SIGKILL CONNECTION      -> stop-pre-sigkill timeout |
            STOP_PRE_SIGKILL HANGUP          -> stop-pre-sigkill timeout |
            STOP_PRE_SIGKILL SERVICE_STARTS  -> stop-pre-sigkill timeout | timer 90s; spawn main
            STOP_PRE_SIGKILL SERVICE_ENDS    -> stop-pre-sigkill timeout |

            STOP_POST START                  -> stop-post success |
            STOP_POST STOP                   -> stop-post success |
            STOP_POST CONTROL_SUCCESS        -> dead success |
            STOP_POST CONTROL_FAILURE        -> failed exit-code |
            STOP_POST TIMEOUT                -> final-sigterm timeout | killpg TERM stop-post; timer 90s
            STOP_POST CONNECTION             -> stop-post success |
            STOP_POST HANGUP                 -> stop-post success |
            STOP_POST SERVICE_STARTS         -> stop-post success | timer 90s; spawn main
            STOP_POST SERVICE_ENDS           -> stop-post success |

            FINAL_SIGTERM START              -> final-sigterm timeout |
            FINAL_SIGTERM STOP               -> final-sigterm timeout |
            FINAL_SIGTERM CONTROL_SUCCESS    -> failed timeout |
            FINAL_SIGTERM CONTROL_FAILURE    -> failed timeout |
            FINAL_SIGTERM TIMEOUT            -> final-sigkill timeout | killpg KILL stop-post; timer 90s
            FINAL_SIGTERM CONNECTION         -> final-sigterm timeout |
            FINAL_SIGTERM HANGUP             -> final-sigterm timeout |
            FINAL_SIGTERM SERVICE_STARTS     -> final-sigterm timeout | timer 90s; spawn main
            FINAL_SIGTERM SERVICE_ENDS       -> final-sigterm timeout |

            FINAL_SIGKILL START              -> final-sigkill timeout |
            FINAL_SIGKILL STOP               -> final-sigkill timeout |
            FINAL_SIGKILL CONTROL_SUCCESS    -> failed timeout |
            FINAL_SIGKILL CONTROL_FAILURE    -> failed timeout |
            FINAL_SIGKILL TIMEOUT            -> failed timeout |
            FINAL_SIGKILL CONNECTION         -> final-sigkill timeout |
            FINAL_SIGKILL HANGUP             -> final-sigkill timeout |
            FINAL_SIGKILL SERVICE_STARTS     -> final-sigkill timeout | timer 90s; spawn main
            FINAL_SIGKILL SERVICE_ENDS       -> final-sigkill timeout |

            FAILED START                     -> start-pre success | timer 90s; spawn start-pre
            FAILED STOP                      -> failed exit-code |
            FAILED CONTROL_SUCCESS           -> failed exit-code |
            FAILED CONTROL_FAILURE           -> failed exit-code |
            FAILED TIMEOUT                   -> failed exit-code |
            FAILED CONNECTION                -> failed exit-code |
            FAILED HANGUP                    -> failed exit-code |
            FAILED SERVICE_STARTS            -> failed exit-code | timer 90s; spawn main
            FAILED SERVICE_ENDS              -> failed exit-code |
            """;

    @TempDir
    Path dir;

    static Stream<Arguments> cells() {
        return Cells.all(SocketState.class, Event.class);
    }

    @ParameterizedTest(name = "{0} × {1}")
    @MethodSource("cells")
    void cell(SocketState state, Event event) throws Exception {
        assertThat(run(state, event).strip()).isEqualTo(Cells.expected(TABLE, state, event));
    }

    private String run(SocketState state, Event event) throws Exception {
        Files.writeString(dir.resolve("t.socket"), """
                [Socket]
                ListenStream=%s
                SocketUser=%d
                ExecStartPre=/x/start-pre
                ExecStartPost=/x/start-post
                ExecStopPre=/x/stop-pre
                ExecStopPost=/x/stop-post
                TimeoutSec=90
                """.formatted(dir.resolve("t.sock"), Processes.uid()));
        Files.writeString(dir.resolve("t.service"), """
                [Service]
                ExecStart=/x/main
                """);
        UnitLoader loader = new UnitLoader(List.of(dir), HostInfo.current(ManagerScope.USER));
        UnitLoader.ActivationUnits units = loader.loadActivation("t.socket");
        assertThat(units.startable()).as(units.socket().diagnostics().toString()).isTrue();
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            ServiceRuntime service = new ServiceRuntime(context, units.service().unit());
            SocketRuntime socket = new SocketRuntime(context, units.socket().unit(), service);
            Driver driver = new Driver(context, socket, service);
            String[] outcome = new String[1];
            if (state == SocketState.START_CHOWN) {
                context.onChange(() -> {
                    if (socket.state() == SocketState.START_CHOWN && outcome[0] == null) {
                        outcome[0] = "";
                        context.takeEffects();
                        driver.deliver(event);
                    }
                });
            }
            for (Event step : PATHS.get(state)) {
                driver.deliver(step);
            }
            if (state != SocketState.START_CHOWN) {
                assertThat(socket.state()).as("reached by " + PATHS.get(state)).isEqualTo(state);
                context.takeEffects();
                driver.deliver(event);
            }
            return socket.state() + " " + socket.result() + " | " + String.join("; ", context.takeEffects());
        }
    }

    private record Driver(FakeUnitContext context, SocketRuntime socket, ServiceRuntime service) {
        void deliver(Event event) {
            try {
                switch (event) {
                    case START -> socket.start();
                    case STOP -> socket.stop();
                    case CONTROL_SUCCESS, CONTROL_FAILURE -> {
                        List<FakeUnitContext.Process> running = context.running().stream()
                                .filter(p -> !p.command().equals("main")).toList();
                        if (!running.isEmpty()) {
                            context.exit(running.getLast(), event == Event.CONTROL_SUCCESS ? 0 : 1);
                        }
                    }
                    case TIMEOUT -> context.fireTimers(1);
                    case CONNECTION -> context.ready(Epoll.EPOLLIN);
                    case HANGUP -> context.ready(Epoll.EPOLLHUP);
                    case SERVICE_STARTS -> service.start();
                    case SERVICE_ENDS -> {
                        List<FakeUnitContext.Process> main = context.running().stream()
                                .filter(p -> p.command().equals("main")).toList();
                        if (!main.isEmpty()) {
                            context.exit(main.getLast(), 0);
                        }
                    }
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
