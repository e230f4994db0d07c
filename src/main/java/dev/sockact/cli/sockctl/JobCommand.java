package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code start}, {@code stop} and {@code restart}: sockactd runs the job and replies once the units have settled.
 * Silent on success, as systemctl is; a failed job is {@code Job for UNIT failed.} (exit 1), an unknown unit
 * {@code Failed to start UNIT: Unit UNIT not found.} (exit 5), a peer without rights a refusal (exit 1).
 */
abstract class JobCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "UNIT", description = "Units, e.g. foo.socket foo.service.")
    List<String> units;

    /** The request for the (completed) unit names. */
    private final Function<List<String>, Request.Job> request;

    JobCommand(Function<List<String>, Request.Job> request) {
        this.request = request;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        return ControlOptions.of(spec).call(request.apply(ControlOptions.unitNames(units)), ControlOptions.JOB_TIMEOUT_MILLIS,
                err).exitStatus();
    }
}
