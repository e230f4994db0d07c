package dev.sockact.cli.sockctl;

import dev.sockact.unit.Diagnostic;
import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.load.LoadResult;
import dev.sockact.unit.load.LoadState;
import dev.sockact.unit.load.UnitLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code sockctl verify FILE...}: loads each unit file like {@code systemd-analyze verify} and prints every
 * diagnostic once, as {@code PATH:LINE: message} or {@code UNIT: message}. Exit 0 when every unit loads.
 */
@Command(name = "verify", description = "Check unit files for errors, as systemd-analyze verify does.")
public final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Unit files (.socket, .service).")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        HostInfo host = HostInfo.current(ManagerScope.SYSTEM);
        boolean allLoaded = true;
        Set<String> reported = new HashSet<>();
        for (Path file : files) {
            UnitLoader loader = UnitLoader.forFile(file, UnitLoader.defaultUnitDirs(ManagerScope.SYSTEM), host);
            allLoaded &= verify(file, loader, reported, err);
        }
        err.flush();
        return allLoaded ? 0 : 1;
    }

    /** Verifies one file; {@code reported} holds the units whose diagnostics were printed already. */
    private static boolean verify(Path file, UnitLoader loader, Set<String> reported, PrintWriter err) {
        LoadResult<?> result = loader.loadFile(file);
        print(result, reported, err);
        if (!result.loaded()) {
            err.println(summary(result));
            return false;
        }
        List<String> problems = new ArrayList<>();
        if (result.unit() instanceof SocketUnit socket) {
            problems.addAll(commandProblems(socket.name().toString(), allCommands(socket)));
            String serviceName = socket.serviceName().toString();
            LoadResult<ServiceUnit> service = loader.loadService(serviceName);
            if (service.state() != LoadState.NOT_FOUND) {
                print(service, reported, err);   // systemd-analyze says nothing more about a missing service
            }
            if (!service.loaded()) {
                String shown = socket.serviceName().isTemplate()
                        ? socket.serviceName().withInstance("internal").toString() : serviceName;
                problems.add(socket.name() + ": service " + shown + " not loaded, socket cannot be started.");
            }   // like systemd-analyze, only the commands of the units named on the command line are checked
        } else if (result.unit() instanceof ServiceUnit service) {
            problems.addAll(commandProblems(service.name().toString(), service.allCommands()));
        }
        problems.forEach(err::println);
        return problems.isEmpty();
    }

    private static List<ExecCommand> allCommands(SocketUnit socket) {
        List<ExecCommand> all = new ArrayList<>(socket.execStartPre());
        all.addAll(socket.execStartPost());
        all.addAll(socket.execStopPre());
        all.addAll(socket.execStopPost());
        return all;
    }

    /** systemd-analyze's verify_executable(): commands with the '-' prefix are not checked. */
    private static List<String> commandProblems(String unit, List<ExecCommand> commands) {
        List<String> problems = new ArrayList<>();
        for (ExecCommand command : commands) {
            if (command.ignoresFailure()) {
                continue;
            }
            Executables.problem(command.path())
                    .ifPresent(reason -> problems.add(unit + ": Command " + command.path()
                            + " is not executable: " + reason));
        }
        return problems;
    }

    /**
     * The unit's diagnostics, unless they were printed already: systemd-analyze loads each unit once, so a service
     * named on the command line after its socket (which loaded it too) has its diagnostics shown once.
     */
    private static void print(LoadResult<?> result, Set<String> reported, PrintWriter err) {
        if (!reported.add(result.name())) {
            return;
        }
        for (Diagnostic diagnostic : result.diagnostics()) {
            err.println(diagnostic.format());
        }
    }

    /** The line systemd-analyze ends a unit that did not load with. */
    private static String summary(LoadResult<?> result) {
        if (result.state() == LoadState.BAD_SETTING) {
            return "Unit " + result.name() + " has a bad unit file setting.";
        }
        if (result.state() == LoadState.ERROR) {
            String last = result.diagnostics().isEmpty() ? "" : result.diagnostics().getLast().message();
            String reason = last.contains("too long") ? "No buffer space available" : "Bad message";
            return "Unit " + result.name() + " failed to load properly, please adjust/correct and reload service"
                    + " manager: " + reason;
        }
        return "Unit " + result.name() + " failed to load: " + result.state().text();
    }
}
