package dev.sockact.unit.parse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Port names from /etc/services ({@code http} → 80), for the sockact-only {@code ListenStream=http} spelling.
 * Read once; a missing file means no names.
 */
public final class ServicePorts {

    private static final Path SERVICES = Path.of("/etc/services");
    private static volatile Map<String, Integer> tcp;
    private static volatile Map<String, Integer> udp;

    private ServicePorts() {
    }

    /** The port of service {@code name} for TCP (or UDP when {@code datagram}), or empty. */
    public static OptionalInt lookup(String name, boolean datagram) {
        if (tcp == null) {
            load();
        }
        Integer port = (datagram ? udp : tcp).get(name);
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }

    private static synchronized void load() {
        if (tcp != null) {
            return;
        }
        Map<String, Integer> tcpPorts = new HashMap<>();
        Map<String, Integer> udpPorts = new HashMap<>();
        try {
            for (String line : Files.readAllLines(SERVICES)) {
                int hash = line.indexOf('#');
                String[] fields = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
                if (fields.length < 2 || !fields[1].contains("/")) {
                    continue;
                }
                String[] portProto = fields[1].split("/");
                int port;
                try {
                    port = Integer.parseInt(portProto[0]);
                } catch (NumberFormatException e) {
                    continue;
                }
                Map<String, Integer> target = portProto[1].equals("udp") ? udpPorts
                        : portProto[1].equals("tcp") ? tcpPorts : null;
                if (target == null) {
                    continue;
                }
                for (int i = 0; i < fields.length; i++) {
                    if (i != 1) {
                        target.putIfAbsent(fields[i], port);
                    }
                }
            }
        } catch (IOException e) {
            // no /etc/services: no names
        }
        udp = Map.copyOf(udpPorts);
        tcp = Map.copyOf(tcpPorts);
    }
}
