package dev.sockact.proxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** What every proxy integration test has: a temporary folder and resources closed after each test, last first. */
abstract class ProxyTestBase {
    @TempDir Path dir;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void closeEverything() {
        cleanup.reversed().forEach(ProxyClients::closeQuietly);
        cleanup.clear();
    }

    /** Closes {@code resource} (a process, backend, socket) after the test. */
    <T extends AutoCloseable> T keep(T resource) {
        cleanup.add(resource);
        return resource;
    }
}
