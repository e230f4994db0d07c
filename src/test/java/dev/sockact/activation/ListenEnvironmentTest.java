package dev.sockact.activation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListenEnvironmentTest {
    @Test
    void inheritedListenVariablesAreDropped() {
        Map<String, String> ours = new LinkedHashMap<>();
        ours.put("HOME", "/root");
        ours.put("LISTEN_FDS", "2");
        ours.put("LISTEN_PID", "1");
        ours.put("LISTEN_FDNAMES", "a:b");
        ours.put("LISTEN_PIDFDID", "7");
        ours.put("LISTENER", "x");

        // Every LISTEN_* goes (newer systemd's LISTEN_PIDFDID too); LISTENER is not one of them.
        assertThat(ListenEnvironment.withoutListenVariables(ours)).containsExactly("HOME=/root", "LISTENER=x");
    }

    @Test
    void listenFdsAndNamesAreAddedOnlyWhenThereAreFds() {
        assertThat(ListenEnvironment.withListenFds(List.of("A=1"), 2, List.of("x", "y")))
                .containsExactly("A=1", "LISTEN_FDS=2", "LISTEN_FDNAMES=x:y");
        assertThat(ListenEnvironment.withListenFds(List.of("A=1"), 1, List.of())).containsExactly("A=1", "LISTEN_FDS=1");
        assertThat(ListenEnvironment.withListenFds(List.of("A=1"), 0, List.of("x"))).containsExactly("A=1");
    }
}
