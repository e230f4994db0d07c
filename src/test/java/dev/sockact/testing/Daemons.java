package dev.sockact.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The bin/sockactd processes of one test: their unit folder and control socket in the test's folder, bin/sockctl
 * against them, and a kill after the test for each one still running. Register it next to the folder:
 * <pre>{@code
 * @TempDir
 * Path dir;
 *
 * @RegisterExtension
 * final Daemons daemons = new Daemons(() -> dir);
 * }</pre>
 * JUnit sets the {@code @TempDir} field after the constructor ran, so the folder is asked for when first needed.
 */
public final class Daemons implements AfterEachCallback {
    private final Supplier<Path> folder;
    private final List<DaemonProcess> started = new ArrayList<>();

    public Daemons(Supplier<Path> folder) {
        this.folder = folder;
    }

    /** FOLDER/units, created on first use. */
    public Path units() throws IOException {
        return Files.createDirectories(folder.get().resolve("units"));
    }

    /** FOLDER/run/control.sock: the control socket of every daemon started here. */
    public Path controlSocket() {
        return folder.get().resolve("run/control.sock");
    }

    /** bin/sockactd on {@link #units()} and {@link #controlSocket()}, with {@code extra} arguments. */
    public DaemonProcess start(String... extra) throws IOException {
        return track(DaemonProcess.start(units(), controlSocket(), extra));
    }

    /** A daemon the test started its own way (as another user, say): killed after the test like the others. */
    public DaemonProcess track(DaemonProcess daemon) {
        started.add(daemon);
        return daemon;
    }

    /** Waits until the control socket exists: from then on sockctl reaches the daemon. */
    public void awaitControlSocket() {
        Await.until("control socket", () -> Files.exists(controlSocket()));
    }

    /** bin/sockctl {@code args} against these daemons ({@code --control-socket} appended). */
    public Sockctl.Run ctl(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--control-socket");
        all.add(controlSocket().toString());
        return Sockctl.sockctl(folder.get(), all.toArray(String[]::new));
    }

    /** The unit's ActiveState=, as {@code sockctl show -p ActiveState} prints it. */
    public String activeState(String unit) throws IOException, InterruptedException {
        return ctl("show", "-p", "ActiveState", unit).out().strip().replace("ActiveState=", "");
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (DaemonProcess d : started) {
            d.kill();
        }
    }
}
