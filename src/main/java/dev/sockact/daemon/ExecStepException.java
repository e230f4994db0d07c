package dev.sockact.daemon;

import java.io.IOException;

/**
 * A failure while preparing what a service's processes run in, named after the step of systemd's exec_child()
 * that it stands for; the command it stopped is reported with that step's exit status, as systemd's child would.
 */
final class ExecStepException extends IOException {
    private static final long serialVersionUID = 1L;

    /** systemd's exit statuses for the failed step (exit-status.h). */
    enum Step {
        NICE(201), IOPRIO(211), SETSCHEDULER(214), CPUAFFINITY(215), NETWORK(225), NAMESPACE(226),
        NO_NEW_PRIVILEGES(227), KEYRING(237);

        final int exitStatus;

        Step(int exitStatus) {
            this.exitStatus = exitStatus;
        }
    }

    private final Step step;

    ExecStepException(Step step, String message, Throwable cause) {
        super(message, cause);
        this.step = step;
    }

    Step step() {
        return step;
    }
}
