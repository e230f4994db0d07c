package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sockctl reset-failed [UNIT...]}: as systemctl's, a failed unit becomes inactive, and its result, restart
 * counter and start rate limit are reset; without units, every loaded unit's. A unit that is not loaded is
 * {@code Failed to reset failed state of unit UNIT: Unit UNIT not loaded.} (exit 1).
 */
@Command(name = "reset-failed", description = "Reset the failed state of units (all units without arguments).")
public final class ResetFailedCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "UNIT", description = "Units, e.g. foo.socket foo.service.")
    List<String> units = List.of();

    @Override
    public Integer call() {
        return ControlOptions.of(spec).call(new Request.ResetFailed(ControlOptions.unitNames(units)),
                ControlOptions.JOB_TIMEOUT_MILLIS, spec.commandLine().getErr()).exitStatus();
    }
}
