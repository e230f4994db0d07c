package dev.sockact.ctl;

import java.util.List;

/** One socket unit in {@code sockctl list}: its states, the services it activates and its listen addresses. */
public record SocketEntry(String unit, String load, String active, String sub, List<String> activates,
                          List<ListenEntry> listen) {
    public SocketEntry {
        activates = List.copyOf(activates);
        listen = List.copyOf(listen);
    }
}
